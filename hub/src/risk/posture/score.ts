/**
 * The posture score of a device: 100 minus deductions, floored at 0 — no black box, every deduction
 * comes back as a reason.
 *
 *   per open / in-progress finding   critical 15, high 8, medium 3, low 1, none 0.5, unknown 2
 *   per mitigated finding            half of the above (a compensating control, not a fix)
 *   per known-exploited (KEV) one    +15 (open, in progress or mitigated)
 *   EPSS                             +5 when ≥ 0.5, +2 when ≥ 0.1 (open or in progress)
 *   per overdue finding              +5
 *   SSVC decision (open/in progress) +10 immediate, +4 out-of-cycle (issue 17: patient-safety priority)
 *   failing hardening checks         3 each, at most 30 (`fail` only: a check that could not run
 *                                    is an `error`, one whose service is not installed
 *                                    `not_applicable`; neither is a failure)
 *   offline                          5 after 24 h, 15 after 7 days (the picture is getting old)
 * Accepted, false-positive and resolved findings deduct nothing: someone decided.
 * Grade: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F below; `unknown` while the device has not reported both
 * its inventory and its hardening results (a device nobody could assess is not an A).
 */
import type { CheckResult, DevicePosture, FindingView, PostureGrade } from '@vigil/protocol'
import type { DeviceRecord } from '../../store/types.js'

export const SEVERITY_POINTS: Record<string, number> = {
  critical: 15,
  high: 8,
  medium: 3,
  low: 1,
  none: 0.5,
  unknown: 2,
}

const HOUR = 3_600_000

/** The hardening checks a device fails: status `fail` only. */
export function failingCheckCount(results: readonly Pick<CheckResult, 'status'>[]): number {
  return results.filter((r) => r.status === 'fail').length
}

export function grade(score: number): PostureGrade {
  return score >= 90 ? 'A' : score >= 80 ? 'B' : score >= 70 ? 'C' : score >= 60 ? 'D' : 'F'
}

export function devicePosture(device: DeviceRecord, findings: FindingView[], now: Date): DevicePosture {
  const reasons: DevicePosture['reasons'] = []
  const add = (points: number, reason: string) => {
    if (points > 0) reasons.push({ points: Math.round(points * 10) / 10, reason })
  }
  const bySeverity = new Map<string, { active: number; mitigated: number }>()
  let kev = 0
  let epssHigh = 0
  let epssMid = 0
  let overdue = 0
  let immediate = 0
  let outOfCycle = 0
  for (const f of findings) {
    const active = f.state === 'open' || f.state === 'in_progress'
    if (!active && f.state !== 'mitigated') continue
    const sev = f.severity ?? 'unknown'
    const row = bySeverity.get(sev) ?? { active: 0, mitigated: 0 }
    if (active) row.active++
    else row.mitigated++
    bySeverity.set(sev, row)
    if (f.kev) kev++
    if (active && f.epss !== undefined && f.epss >= 0.5) epssHigh++
    else if (active && f.epss !== undefined && f.epss >= 0.1) epssMid++
    if (f.overdue) overdue++
    if (active && f.ssvc?.outcome === 'immediate') immediate++
    else if (active && f.ssvc?.outcome === 'out-of-cycle') outOfCycle++
  }
  for (const [sev, row] of bySeverity) {
    const pts = SEVERITY_POINTS[sev] ?? 2
    add(row.active * pts, `${row.active} open ${sev} finding(s) × ${pts}`)
    add((row.mitigated * pts) / 2, `${row.mitigated} mitigated ${sev} finding(s) × ${pts / 2}`)
  }
  add(kev * 15, `${kev} known-exploited (KEV) finding(s) × 15`)
  add(epssHigh * 5, `${epssHigh} finding(s) with EPSS ≥ 0.5 × 5`)
  add(epssMid * 2, `${epssMid} finding(s) with EPSS ≥ 0.1 × 2`)
  add(overdue * 5, `${overdue} overdue finding(s) × 5`)
  add(immediate * 10, `${immediate} finding(s) with SSVC decision immediate × 10`)
  add(outOfCycle * 4, `${outOfCycle} finding(s) with SSVC decision out-of-cycle × 4`)
  const failing = device.failingChecks ?? 0
  add(Math.min(30, failing * 3), `${failing} failing hardening check(s) × 3 (at most 30)`)
  if (!device.online && device.lastSeen !== null) {
    const offline = now.getTime() - Date.parse(device.lastSeen)
    if (offline > 7 * 24 * HOUR) add(15, 'offline for more than 7 days')
    else if (offline > 24 * HOUR) add(5, 'offline for more than 24 hours')
  }
  const total = reasons.reduce((n, r) => n + r.points, 0)
  const score = Math.max(0, Math.round(100 - total))
  const missing = [
    device.inventoryHash === undefined ? 'inventory' : '',
    device.hardeningHash === undefined ? 'hardening results' : '',
  ].filter(Boolean)
  if (missing.length > 0)
    reasons.push({ points: 0, reason: `no ${missing.join(' and no ')} reported yet: posture unknown` })
  return {
    deviceId: device.id,
    deviceName: device.name,
    score,
    grade: missing.length > 0 ? 'unknown' : grade(score),
    reasons,
  }
}
