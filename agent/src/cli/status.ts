/**
 * `vigil-agent status`: enrolled?, device id, hub, connected?, last report, outbox depth, failing
 * checks, baseline, pending manifests. Reads the status file the daemon writes, so it works when the
 * daemon is down (and says so, showing the last known state).
 */

import { CredentialsError, readCredentials } from '../credentials.js'
import type { AgentStatus } from '../daemon/status.js'
import { MANIFEST_COLUMNS, manifestRows, trustLine } from '../manifest/format.js'
import { readJson } from '../state-files/json.js'
import { statusPath } from '../state-files/paths.js'
import { type Io, parse } from './args.js'
import { ago, keyValues, paint, table } from './format.js'
import { technicianConfig } from './state-dir.js'

export interface StatusReport {
  enrolled: boolean
  deviceId: string | null
  hubUrl: string | null
  daemon: 'running' | 'stopped' | 'unknown'
  problem: string | null
  last: AgentStatus | null
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function readStatus(
  stateDir: string,
  statusIntervalSec: number,
  now: Date,
): Promise<StatusReport> {
  const report: StatusReport = {
    enrolled: false,
    deviceId: null,
    hubUrl: null,
    daemon: 'unknown',
    problem: null,
    last: null,
  }
  try {
    const c = await readCredentials(stateDir)
    report.enrolled = true
    report.deviceId = c.deviceId
    report.hubUrl = c.hubUrl
  } catch (err) {
    report.problem = err instanceof CredentialsError ? err.message : (err as Error).message
  }
  try {
    const s = (await readJson(statusPath(stateDir))) as AgentStatus | undefined
    if (s && typeof s === 'object' && typeof s.pid === 'number') {
      report.last = s
      const fresh = now.getTime() - new Date(s.updatedAt).getTime() < statusIntervalSec * 3000
      report.daemon = s.running && alive(s.pid) && fresh ? 'running' : 'stopped'
    } else report.daemon = 'stopped'
  } catch (err) {
    report.problem ??= `cannot read the status file: ${(err as Error).message}`
  }
  return report
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const a = parse(argv, { dir: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } })
  const config = technicianConfig(a, io)
  const now = new Date()
  const r = await readStatus(config.stateDir, config.statusIntervalSec, now)
  if (a.json) {
    io.out(JSON.stringify(r, null, 2))
    return r.enrolled ? 0 : 1
  }
  const p = paint(io.color)
  const s = r.last
  const daemon =
    r.daemon === 'running'
      ? p('green', 'running')
      : p('yellow', `not running${s ? ' (showing the last known state)' : ''}`)
  const connected = !s
    ? 'unknown'
    : s.connected && r.daemon === 'running'
      ? p('green', 'yes')
      : p('red', 'no')
  const pairs: [string, string][] = [
    ['enrolled', r.enrolled ? p('green', 'yes') : p('red', 'no')],
    ['device id', r.deviceId ?? '-'],
    ['hub', r.hubUrl ?? '-'],
    ['daemon', daemon],
    ['connected', connected],
  ]
  if (s) {
    pairs.push(
      ['last report', ago(s.lastReportAt, now)],
      ['outbox', `${s.outbox.state} state messages, ${s.outbox.telemetry} telemetry samples queued`],
      ['baseline', `${s.baseline.name} (${s.baseline.id} v${s.baseline.version}, from ${s.baseline.source})`],
      [
        'packages',
        `${s.inventory.packages}${s.inventory.firmwareVersion ? `, firmware ${s.inventory.firmwareVersion}` : ''}`,
      ],
      ['manifests', s.pendingManifests.length === 0 ? 'none pending' : s.pendingManifests.join(', ')],
    )
    if (s.manifests) pairs.push(['vendor keys', trustLine(s.manifests)])
    if (s.lastError)
      pairs.push([
        'last error',
        p('red', `${s.lastError.message} [${s.lastError.code}] at ${s.lastError.at}`),
      ])
  }
  if (r.problem) pairs.push(['problem', p('red', r.problem)])
  io.out(keyValues(pairs))
  if (s && s.failingChecks.length > 0) {
    io.out(`\n${p('bold', `failing hardening checks (${s.failingChecks.length})`)}`)
    io.out(
      table(
        ['check', 'severity', 'status', 'evidence'],
        s.failingChecks.map((c) => [
          c.id,
          c.severity,
          c.status === 'error' ? p('yellow', c.status) : p('red', c.status),
          c.evidence.slice(0, 80),
        ]),
      ),
    )
  }
  const rows = s?.manifests ? manifestRows(s.manifests) : []
  if (rows.length > 0) {
    io.out(`\n${p('bold', `patch manifests (${rows.length})`)}`)
    io.out(table(MANIFEST_COLUMNS, rows))
  }
  return r.enrolled ? 0 : 1
}
