/**
 * Small JSON files in the state directory: what the agent last reported (hashes, hardening results,
 * baseline in force), their paths (memory, status, vendor trust) and atomic JSON reads and writes. The
 * status file's shape is `AgentStatus` in `agent-status.ts`. Imports nothing of the agent (the
 * manifest manager and the CLI import it).
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckResult, HardeningBaseline } from '@vigil/protocol'

export interface AgentMemory {
  inventoryHash?: string
  hardeningHash?: string
  lastResults?: CheckResult[]
  /** the baseline received from the hub (or applied by command), kept across restarts */
  baseline?: HardeningBaseline
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
