/**
 * Due dates. A finding with an SSVC decision is due `policy.ssvc` after it was first seen (immediate
 * 48 h, out-of-cycle 14 d, scheduled 90 d by default); a deferred one (SSVC gives it no deadline) or one
 * without a decision is due `policy[severity]` days after. A KEV finding is due sooner when CISA's due
 * date (end of that UTC day) or `kevDays` after first seen comes first: the earlier date wins.
 * Overdue = still open or in progress after the due date (mitigated, accepted, false positive and
 * resolved findings are not overdue: someone decided).
 */
import {
  DEFAULT_SSVC_SLA,
  type FindingState,
  type Severity,
  type SlaPolicy,
  type SsvcOutcome,
  type SsvcSla,
} from '@vigil/protocol'

const DAY = 86_400_000

const HOUR = 3_600_000

/** Milliseconds to remediate an SSVC outcome; null for defer (no deadline). */
export function ssvcWindowMs(policy: SsvcSla, outcome: SsvcOutcome): number | null {
  switch (outcome) {
    case 'immediate':
      return policy.immediateHours * HOUR
    case 'out-of-cycle':
      return policy.outOfCycleDays * DAY
    case 'scheduled':
      return policy.scheduledDays * DAY
    case 'defer':
      return null
  }
}

export const DEFAULT_SLA: SlaPolicy = {
  critical: 15,
  high: 30,
  medium: 90,
  low: 180,
  none: 365,
  unknown: 90,
  kevDays: 14,
  ssvc: { immediateHours: 48, outOfCycleDays: 14, scheduledDays: 90 },
}

export function dueDate(
  policy: SlaPolicy,
  f: {
    firstSeen: string
    severity: Severity | null
    kev: boolean
    kevDueDate?: string | undefined
    outcome?: SsvcOutcome | undefined
  },
): Date {
  const seen = Date.parse(f.firstSeen)
  const window = f.outcome !== undefined ? ssvcWindowMs(policy.ssvc ?? DEFAULT_SSVC_SLA, f.outcome) : null
  let due = window !== null ? seen + window : seen + policy[f.severity ?? 'unknown'] * DAY
  if (f.kev) {
    due = Math.min(due, seen + policy.kevDays * DAY)
    if (f.kevDueDate !== undefined) {
      const cisa = Date.parse(`${f.kevDueDate}T23:59:59.999Z`)
      if (Number.isFinite(cisa)) due = Math.min(due, cisa)
    }
  }
  return new Date(due)
}

export const ACTIVE: ReadonlySet<FindingState> = new Set(['open', 'in_progress'])

export function isOverdue(state: FindingState, due: Date, now: Date): boolean {
  return ACTIVE.has(state) && now.getTime() > due.getTime()
}
