/** Ordering and labels for hardening check results: failures first, then by severity. */
import type { CheckResult, CheckStatus, Severity } from '@vigil/protocol'

export const STATUS_LABEL: Record<CheckStatus, { symbol: string; text: string }> = {
  fail: { symbol: '✕', text: 'Fail' },
  error: { symbol: '!', text: 'Error' },
  pass: { symbol: '✓', text: 'Pass' },
  not_applicable: { symbol: '–', text: 'Not applicable' },
}

const STATUS_RANK: Record<CheckStatus, number> = { fail: 0, error: 1, pass: 2, not_applicable: 3 }
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, none: 4 }

export function sortChecks(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort(
    (a, b) =>
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.id.localeCompare(b.id),
  )
}

export function filterChecks(
  results: readonly CheckResult[],
  status: CheckStatus | 'all',
  search: string,
): CheckResult[] {
  const needle = search.trim().toLowerCase()
  return results.filter(
    (r) =>
      (status === 'all' || r.status === status) &&
      (!needle ||
        r.id.toLowerCase().includes(needle) ||
        r.title.toLowerCase().includes(needle) ||
        r.evidence.toLowerCase().includes(needle)),
  )
}
