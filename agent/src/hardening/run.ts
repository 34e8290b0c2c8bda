/**
 * Runs a baseline through the check lookup table and builds the report with drift against the
 * previous report. One try/catch: a check that throws becomes an `error` result, never a crash.
 */
import { createHash } from 'node:crypto'
import type {
  CheckResult,
  DriftItem,
  HardeningBaseline,
  HardeningCheck,
  HardeningReport,
} from '@vigil/protocol'
import { canonicalJson, PROTOCOL_VERSION } from '@vigil/protocol/wire'
import { emptyPasswords, uid0Accounts } from './checks/accounts.js'
import { fileAbsent, fileContent, fileExists, fileHash, fileMode } from './checks/files.js'
import {
  configValueCheck,
  listeningPorts,
  serviceNotRunningCheck,
  serviceRunningCheck,
  sysctlCheck,
} from './checks/system.js'
import type { CheckEnv, CheckOutcome } from './env.js'

type Handlers = {
  [K in HardeningCheck['kind']]: (
    c: Extract<HardeningCheck, { kind: K }>,
    env: CheckEnv,
  ) => Promise<CheckOutcome>
}

export const CHECKS: Handlers = {
  'file-exists': fileExists,
  'file-absent': fileAbsent,
  'file-mode': fileMode,
  'file-hash': fileHash,
  'file-content': fileContent,
  'config-value': configValueCheck,
  sysctl: sysctlCheck,
  'listening-ports': listeningPorts,
  'service-running': serviceRunningCheck,
  'service-not-running': serviceNotRunningCheck,
  'uid0-accounts': uid0Accounts,
  'empty-passwords': emptyPasswords,
}

const clip = (s: string, n = 4096) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

export async function runCheck(check: HardeningCheck, env: CheckEnv): Promise<CheckResult> {
  let outcome: CheckOutcome
  try {
    const handler = CHECKS[check.kind] as (c: HardeningCheck, env: CheckEnv) => Promise<CheckOutcome>
    outcome = await handler(check, env)
  } catch (err) {
    outcome = { status: 'error', evidence: `check failed: ${(err as Error).message}` }
  }
  return {
    id: check.id,
    title: check.title,
    severity: check.severity,
    status: outcome.status,
    evidence: clip(outcome.evidence),
  }
}

export async function runBaseline(baseline: HardeningBaseline, env: CheckEnv): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const check of baseline.checks) results.push(await runCheck(check, env))
  return results
}

/** Drift: a result whose status changed since the previous report, or a file whose hash changed. */
export function computeDrift(previous: CheckResult[] | undefined, current: CheckResult[]): DriftItem[] {
  if (!previous) return []
  const before = new Map(previous.map((r) => [r.id, r]))
  const drift: DriftItem[] = []
  for (const r of current) {
    const p = before.get(r.id)
    if (!p) drift.push({ id: r.id, from: null, to: r.status, detail: clip(`new check: ${r.evidence}`) })
    else if (p.status !== r.status)
      drift.push({ id: r.id, from: p.status, to: r.status, detail: clip(r.evidence) })
    else if (p.evidence.startsWith('sha256=') && p.evidence !== r.evidence) {
      drift.push({
        id: r.id,
        from: p.status,
        to: r.status,
        detail: clip(`file changed: ${p.evidence} → ${r.evidence}`),
      })
    }
  }
  return drift
}

export function hardeningHash(baseline: { id: string; version: number }, results: CheckResult[]): string {
  return createHash('sha256')
    .update(canonicalJson({ baseline: { id: baseline.id, version: baseline.version }, results }))
    .digest('hex')
}

export function buildReport(
  baseline: HardeningBaseline,
  results: CheckResult[],
  previous: CheckResult[] | undefined,
  now: Date,
): HardeningReport {
  const ref = { id: baseline.id, version: baseline.version }
  return {
    v: PROTOCOL_VERSION,
    ts: now.toISOString(),
    hash: hardeningHash(ref, results),
    baseline: ref,
    results,
    drift: computeDrift(previous, results),
  }
}
