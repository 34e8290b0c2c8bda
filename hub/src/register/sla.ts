/**
 * Due dates. A finding is due `policy[severity]` days after it was first seen. A KEV finding is due
 * sooner when CISA's due date (end of that UTC day) or `kevDays` after first seen comes first.
 * Overdue = still open or in progress after the due date (mitigated, accepted, false positive and
 * resolved findings are not overdue: someone decided).
 */
import type { FindingState, Severity, SlaPolicy } from '@vigil/protocol'

export const DEFAULT_SLA: SlaPolicy = {
  critical: 15,
  high: 30,
  medium: 90,
  low: 180,
  none: 365,
  unknown: 90,
  kevDays: 14,
}

const DAY = 86_400_000

export function dueDate(
  policy: SlaPolicy,
  f: { firstSeen: string; severity: Severity | null; kev: boolean; kevDueDate?: string | undefined },
): Date {
  const seen = Date.parse(f.firstSeen)
  let due = seen + policy[f.severity ?? 'unknown'] * DAY
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
