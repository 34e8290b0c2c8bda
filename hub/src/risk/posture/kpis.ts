/**
 * Fleet KPIs from the devices and the register. Remediation times are first seen → resolved (the
 * hub sees a finding close when the fixed version shows up in an inventory), so "patch latency" here is
 * the time a vulnerable version stayed installed after the hub knew about it.
 */
import type { DevicePosture, FindingView, FleetKpis } from '@vigil/protocol'
import type { DeviceRecord } from '../../store/types.js'

const DAY = 86_400_000
const round = (n: number) => Math.round(n * 100) / 100
const pct = (part: number, whole: number) => (whole === 0 ? null : round((part / whole) * 100))

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] ?? null
}

export function fleetKpis(
  devices: DeviceRecord[],
  findings: FindingView[],
  postures: DevicePosture[],
  now: Date,
): FleetKpis {
  const active = findings.filter((f) => f.state === 'open' || f.state === 'in_progress')
  const unresolved = findings.filter((f) => f.state !== 'resolved' && f.state !== 'false_positive')
  const openBySeverity: Record<string, number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    none: 0,
    unknown: 0,
  }
  for (const f of active) {
    const key = f.severity ?? 'unknown'
    openBySeverity[key] = (openBySeverity[key] ?? 0) + 1
  }
  const openByDecision: Record<string, number> = {
    immediate: 0,
    'out-of-cycle': 0,
    scheduled: 0,
    defer: 0,
    undecided: 0,
  }
  const openByClinicalFunction: Record<string, number> = {}
  for (const f of active) {
    const d = f.ssvc?.outcome ?? 'undecided'
    openByDecision[d] = (openByDecision[d] ?? 0) + 1
    const c = f.clinicalFunction ?? 'unknown'
    openByClinicalFunction[c] = (openByClinicalFunction[c] ?? 0) + 1
  }
  const resolved = findings.filter((f) => f.state === 'resolved' && f.resolvedAt !== null)
  const days = resolved
    .map((f) => (Date.parse(f.resolvedAt ?? '') - Date.parse(f.firstSeen)) / DAY)
    .sort((a, b) => a - b)
  const withReport = devices.filter((d) => d.hardeningHash !== undefined)
  const graded = postures.filter((p) => p.grade !== 'unknown')
  return {
    ts: now.toISOString(),
    devices: devices.length,
    devicesOnline: devices.filter((d) => d.online).length,
    baselineCompliancePct: pct(
      withReport.filter((d) => (d.failingChecks ?? 0) === 0).length,
      withReport.length,
    ),
    openBySeverity,
    openByDecision,
    openByClinicalFunction,
    open: active.length,
    kevOpen: active.filter((f) => f.kev).length,
    overdue: active.filter((f) => f.overdue).length,
    meanTimeToRemediateDays: days.length === 0 ? null : round(days.reduce((a, b) => a + b, 0) / days.length),
    patchLatencyDays: {
      p50: days.length ? round(percentile(days, 50) ?? 0) : null,
      p90: days.length ? round(percentile(days, 90) ?? 0) : null,
    },
    remediatedWithinSlaPct: pct(
      resolved.filter((f) => Date.parse(f.resolvedAt ?? '') <= Date.parse(f.dueDate)).length,
      resolved.length,
    ),
    ownedPct: pct(unresolved.filter((f) => f.owner !== null).length, unresolved.length),
    meanPostureScore:
      graded.length === 0 ? null : round(graded.reduce((n, p) => n + p.score, 0) / graded.length),
  }
}
