/**
 * The small files of the state directory: their paths, and the shape of `memory.json` (what the agent
 * last reported). The status file's shape is `AgentStatus` in `daemon/status.ts`. Imports nothing of
 * the agent.
 */
import { join } from 'node:path'
import type { CheckResult, HardeningBaseline } from '@vigil/protocol'

/** `<stateDir>/memory.json`: what was last reported, so a restart sends only what changed. */
export interface AgentMemory {
  inventoryHash?: string
  hardeningHash?: string
  lastResults?: CheckResult[]
  /** the baseline received from the hub (or applied by command), kept across restarts */
  baseline?: HardeningBaseline
}

export const memoryPath = (dir: string) => join(dir, 'memory.json')
export const statusPath = (dir: string) => join(dir, 'status.json')
/** Vendor trust provisioned at enrollment (VendorTrust[]). */
export const vendorTrustPath = (dir: string) => join(dir, 'vendor-trust.json')
/** The operator root chain and delegations of the enrollment answer (TrustBundle), applied at start. */
export const trustBundlePath = (dir: string) => join(dir, 'trust-bundle.json')
