/** The status snapshot written to `<stateDir>/status.json` for `vigil-agent status`. */
import type { CheckResult, HardeningBaseline, Inventory } from '@vigil/protocol'
import type { Credentials } from '../credentials.js'
import type { BaselineSource } from '../hardening/baseline.js'
import type { Logger } from '../logger.js'
import type { ManifestSummary } from '../manifest/manager.js'
import { writeJsonAtomic } from '../state-files/json.js'
import { statusPath } from '../state-files/paths.js'
import type { AgentState } from './state.js'

/** `<stateDir>/status.json`, written by the running agent, read by `vigil-agent status`. */
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

export interface StatusInput {
  now: Date
  st: Pick<AgentStatus, 'startedAt' | 'lastConnectAt' | 'lastReportAt' | 'lastError'>
  creds: Credentials | undefined
  connected: boolean
  outbox: AgentStatus['outbox']
  baseline: HardeningBaseline
  baselineSource: BaselineSource
  results: CheckResult[]
  inventory: Inventory | undefined
  manifests: ManifestSummary
}

export function buildStatus(i: StatusInput): AgentStatus {
  return {
    pid: process.pid,
    startedAt: i.st.startedAt,
    updatedAt: i.now.toISOString(),
    running: true,
    deviceId: i.creds?.deviceId ?? '',
    hubUrl: i.creds?.hubUrl ?? '',
    mqttUrl: i.creds?.mqtt.url ?? '',
    connected: i.connected,
    lastConnectAt: i.st.lastConnectAt,
    lastReportAt: i.st.lastReportAt,
    lastError: i.st.lastError,
    outbox: i.outbox,
    baseline: {
      id: i.baseline.id,
      version: i.baseline.version,
      name: i.baseline.name,
      source: i.baselineSource,
    },
    // failed, and could not run (shown as such); not applicable is neither
    failingChecks: i.results.filter((r) => r.status === 'fail' || r.status === 'error'),
    inventory: {
      hash: i.inventory?.hash ?? null,
      packages: i.inventory?.packages.length ?? 0,
      firmwareVersion: i.inventory?.firmwareVersion ?? null,
    },
    pendingManifests: i.manifests.pending.map((m) => `${m.product} ${m.version} (${m.state})`),
    manifests: i.manifests,
  }
}

/** The running agent's status now. */
export function statusOf(s: AgentState, manifests: ManifestSummary): AgentStatus {
  return buildStatus({
    now: s.clock.now(),
    st: s.status,
    creds: s.creds,
    connected: s.link?.connected ?? false,
    outbox: s.outbox?.depth() ?? { state: 0, telemetry: 0 },
    baseline: s.baseline,
    baselineSource: s.baselineSource,
    results: s.results,
    inventory: s.inventory,
    manifests,
  })
}

/** Writes `<stateDir>/status.json` (readable by everyone: it holds no secret); a failure is logged. */
export async function writeStatusFile(dir: string, status: AgentStatus, log: Logger): Promise<void> {
  try {
    await writeJsonAtomic(statusPath(dir), status, 0o644)
  } catch (err) {
    log.warn(`cannot write the status file: ${(err as Error).message}`)
  }
}
