/**
 * Small JSON files in the state directory: what the agent last reported (hashes, hardening results,
 * baseline in force) and the status file the CLI reads when the daemon is down. Atomic writes.
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckResult, HardeningBaseline } from '@vigil/protocol'
import type { ManifestSummary } from './manifest/manager.js'

export interface AgentMemory {
  inventoryHash?: string
  hardeningHash?: string
  lastResults?: CheckResult[]
  /** the baseline received from the hub (or applied by command), kept across restarts */
  baseline?: HardeningBaseline
}

export interface AgentStatus {
  pid: number
  startedAt: string
  updatedAt: string
  running: boolean
  deviceId: string
  hubUrl: string
  mqttUrl: string
  connected: boolean
  lastConnectAt: string | null
  lastReportAt: string | null
  lastError: { code: string; message: string; at: string } | null
  outbox: { state: number; telemetry: number }
  baseline: { id: string; version: number; name: string; source: string }
  failingChecks: { id: string; title: string; severity: string; status: string; evidence: string }[]
  inventory: { hash: string | null; packages: number; firmwareVersion: string | null }
  pendingManifests: string[]
  /** Signed manifests: trusted vendors, pending/installed/failed ones and refusals (agent/src/manifest). */
  manifests?: ManifestSummary
}

let tmpCounter = 0

export async function writeJsonAtomic(file: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true })
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`
  try {
    await writeFile(tmp, JSON.stringify(value, null, 2), { mode })
    await rename(tmp, file)
  } catch (err) {
    // a partial temp file would keep a full disk full
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}

export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export const memoryPath = (dir: string) => join(dir, 'memory.json')
export const statusPath = (dir: string) => join(dir, 'status.json')
/** Vendor trust provisioned at enrollment (VendorTrust[]). */
export const vendorTrustPath = (dir: string) => join(dir, 'vendor-trust.json')
/** The operator root chain and delegations of the enrollment answer (TrustBundle), applied at start. */
export const trustBundlePath = (dir: string) => join(dir, 'trust-bundle.json')
