/** Labels and the bulk-action forms of the risk register. */
import type { FindingState, FindingTransition, FindingView, Severity } from '@vigil/protocol'
import { formatDateTime } from './format.js'

export const STATE_LABEL: Record<FindingState, string> = {
  open: 'Open',
  in_progress: 'In progress',
  mitigated: 'Mitigated',
  accepted: 'Accepted',
  false_positive: 'False positive',
  resolved: 'Resolved',
}

export const SEVERITY_ORDER: readonly (Severity | 'unknown')[] = [
  'critical',
  'high',
  'medium',
  'low',
  'none',
  'unknown',
]

export const severityOf = (f: Pick<FindingView, 'severity'>): Severity | 'unknown' => f.severity ?? 'unknown'

/** "Patch available: <product> <version>" when a vendor manifest fixes the finding on its device. */
export const patchText = (f: Pick<FindingView, 'patch'>): string =>
  f.patch ? `Patch available: ${f.patch.product} ${f.patch.version}` : '—'

/**
 * The register's "Due" cell: an accepted risk is due for review when its acceptance expires, not at the
 * remediation date it had before someone accepted it.
 */
export function dueText(f: Pick<FindingView, 'state' | 'dueDate' | 'overdue' | 'decision'>): string {
  const day = (iso: string) => formatDateTime(iso).split(',')[0] ?? iso
  if (f.state === 'accepted' && f.decision?.expiresAt) return `Accepted until ${day(f.decision.expiresAt)}`
  return `${f.overdue ? 'Overdue · ' : ''}${day(f.dueDate)}`
}

export type BulkAction = 'assign' | 'in_progress' | 'mitigated' | 'accepted' | 'false_positive' | 'open'

export const BULK_ACTIONS: { value: BulkAction; label: string }[] = [
  { value: 'assign', label: 'Assign an owner' },
  { value: 'in_progress', label: 'Mark in progress' },
  { value: 'mitigated', label: 'Record a mitigation' },
  { value: 'accepted', label: 'Accept the risk' },
  { value: 'false_positive', label: 'Mark false positive' },
  { value: 'open', label: 'Reopen' },
]

export interface BulkForm {
  action: BulkAction
  why: string
  owner: string
  control: string
  justification: string
  approver: string
  /** yyyy-mm-dd from a date input. */
  expires: string
  reason: string
}

export const emptyBulkForm = (): BulkForm => ({
  action: 'in_progress',
  why: '',
  owner: '',
  control: '',
  justification: '',
  approver: '',
  expires: '',
  reason: '',
})

/** Builds the transition the hub expects, or names the missing field. */
export function transitionFrom(
  f: BulkForm,
): { ok: true; value: FindingTransition } | { ok: false; message: string } {
  const why = f.why.trim()
  if (!why) return { ok: false, message: 'Say why (it goes into the finding’s history).' }
  switch (f.action) {
    case 'assign':
      return f.owner.trim()
        ? { ok: true, value: { owner: f.owner.trim(), why } }
        : { ok: false, message: 'Name the owner.' }
    case 'in_progress':
    case 'open':
      return {
        ok: true,
        value: { state: f.action, why, ...(f.owner.trim() ? { owner: f.owner.trim() } : {}) },
      }
    case 'mitigated':
      return f.control.trim()
        ? { ok: true, value: { state: 'mitigated', why, control: f.control.trim() } }
        : { ok: false, message: 'Describe the compensating control.' }
    case 'accepted': {
      if (!f.justification.trim()) return { ok: false, message: 'Give the justification for accepting.' }
      if (!f.approver.trim()) return { ok: false, message: 'Name who approved the acceptance.' }
      const expires = Date.parse(`${f.expires}T23:59:59Z`)
      if (!f.expires || Number.isNaN(expires))
        return { ok: false, message: 'Set when the acceptance expires.' }
      return {
        ok: true,
        value: {
          state: 'accepted',
          why,
          justification: f.justification.trim(),
          approver: f.approver.trim(),
          expiresAt: new Date(expires).toISOString(),
        },
      }
    }
    case 'false_positive':
      return f.reason.trim()
        ? { ok: true, value: { state: 'false_positive', why, reason: f.reason.trim() } }
        : { ok: false, message: 'Give the reason it is a false positive.' }
  }
}

/** Client-side search over what a row shows. */
export function searchFindings(rows: readonly FindingView[], text: string): FindingView[] {
  const needle = text.trim().toLowerCase()
  if (!needle) return [...rows]
  return rows.filter((f) =>
    [f.deviceName, f.advisory, f.cve ?? '', f.component.name, f.owner ?? ''].some((v) =>
      v.toLowerCase().includes(needle),
    ),
  )
}
