/**
 * The fleet page's devices by SSVC decision (issue 17): each device's open findings counted per
 * outcome, the device ranked by its worst decision (immediate first), then by how many findings carry
 * that worst decision, then by the counts of the next outcomes, then by name. Findings without a
 * decision are counted apart and never rank a device above a decided one.
 */
import type { FindingView, SsvcOutcome } from '@vigil/protocol'
import { OUTCOMES } from './ssvc.js'

export interface DeviceDecisionRow {
  deviceId: string
  deviceName: string
  /** The most urgent decision among the device's findings; null when none is decided. */
  worst: SsvcOutcome | null
  counts: Record<SsvcOutcome, number>
  undecided: number
  total: number
}

const RANK = new Map<SsvcOutcome | null, number>([
  ...OUTCOMES.map((o, i) => [o, i] as const),
  [null, OUTCOMES.length],
])

function compare(a: DeviceDecisionRow, b: DeviceDecisionRow): number {
  const byWorst = (RANK.get(a.worst) ?? 0) - (RANK.get(b.worst) ?? 0)
  if (byWorst !== 0) return byWorst
  for (const o of OUTCOMES) if (a.counts[o] !== b.counts[o]) return b.counts[o] - a.counts[o]
  return a.deviceName.localeCompare(b.deviceName) || a.deviceId.localeCompare(b.deviceId)
}

/**
 * Devices of the given findings (pass the open ones), worst decision first. With `outcome`, only the
 * devices holding at least one finding with that decision.
 */
export function devicesByDecision(
  findings: Iterable<FindingView>,
  outcome: SsvcOutcome | '' = '',
): DeviceDecisionRow[] {
  const rows = new Map<string, DeviceDecisionRow>()
  for (const f of findings) {
    let row = rows.get(f.deviceId)
    if (row === undefined) {
      row = {
        deviceId: f.deviceId,
        deviceName: f.deviceName,
        worst: null,
        counts: { immediate: 0, 'out-of-cycle': 0, scheduled: 0, defer: 0 },
        undecided: 0,
        total: 0,
      }
      rows.set(f.deviceId, row)
    }
    row.total++
    const o = f.ssvc?.outcome
    if (o === undefined) {
      row.undecided++
      continue
    }
    row.counts[o]++
    if ((RANK.get(o) ?? 0) < (RANK.get(row.worst) ?? 0)) row.worst = o
  }
  const out = [...rows.values()].filter((r) => outcome === '' || r.counts[outcome] > 0)
  return out.sort(compare)
}
