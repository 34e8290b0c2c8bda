/**
 * State changes of a finding record: every one is stored, appended to the history and to the audit log
 * with who and why. A person's transition is checked here first (what each state requires).
 */
import { createHash } from 'node:crypto'
import type { FindingHistoryEntry, FindingState, FindingTransition, FindingView } from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { AuditEntry } from '../../store/types.js'
import type { FindingRecord, RegisterDb } from './records.js'

export interface TransitionLog {
  db: RegisterDb
  audit(entry: Omit<AuditEntry, 'ts'>): void
}

/**
 * The dedup key of a history entry: the finding, the change (from, to, by whom) and the record it was
 * made from (its content's hash). Two hubs that briefly both write
 * correlation's results (a holder that lost its lease without dying, and the new one) make the same
 * change from the same stored record: the database stores its entry once (`AppendLog.append`'s
 * `dedupKey`). The content, not the version: a hub's version of a record it wrote last may lag the
 * database's, its content does not. A later change (reopened, resolved again) is made from another
 * record (its decision and times differ): a new key.
 */
export function historyKey(e: FindingHistoryEntry, before: FindingRecord): string {
  const from = createHash('sha256').update(JSON.stringify(before)).digest('base64url')
  return `${e.findingId}:${e.from ?? ''}>${e.to}:${e.actor}:${from}`
}

/**
 * Stores `r` in state `to` (with `patch`), its history entry and its audit entry; answers the new record
 * and the history entry's key (`historyKey`: the same change made by two hubs from the same record has
 * the same key, which also keys its webhook deliveries).
 */
export function recordTransition(
  log: TransitionLog,
  r: FindingRecord,
  to: FindingState,
  actor: string,
  why: string,
  ts: string,
  patch: Partial<FindingRecord> = {},
): { record: FindingRecord; key: string } {
  const from = r.state
  const next: FindingRecord = { ...r, ...patch, state: to }
  log.db.records.put(next)
  const entry: FindingHistoryEntry = { findingId: r.id, ts, actor, from, to, why }
  if (patch.owner !== undefined && patch.owner !== r.owner) entry.owner = patch.owner
  const key = historyKey(entry, r)
  log.db.history.append(entry, key)
  log.audit({
    actor,
    action: 'finding.transition',
    target: r.id,
    ok: true,
    detail: `${from} → ${to}: ${why}`,
  })
  return { record: next, key }
}

const DECISION_FIELDS = [
  'justification',
  'approver',
  'expiresAt',
  'reason',
  'control',
  'vexJustification',
] as const

/**
 * What a person's transition changes on record `r` (state and patch). Throws HubError with the field at
 * fault: a resolved finding is the hub's alone; accepted, false positive and mitigated need their fields.
 */
export function personTransition(
  r: FindingRecord,
  t: FindingTransition,
  actor: string,
  now: Date,
): { to: FindingState; patch: Partial<FindingRecord> } {
  if (t.state === undefined && t.owner === undefined) {
    throw new HubError('VIGIL_BAD_REQUEST', 'body must name a state or an owner')
  }
  if (t.state !== undefined && r.state === 'resolved') {
    throw new HubError(
      'VIGIL_CONFLICT',
      'the finding is resolved (the hub reopens it if the vulnerable version returns)',
    )
  }
  const need = (field: keyof FindingTransition, when: string) => {
    if (t[field] === undefined) throw new HubError('VIGIL_BAD_REQUEST', `body/${field} is required ${when}`)
  }
  if (t.state === 'accepted') {
    need('justification', 'to accept a risk')
    need('approver', 'to accept a risk')
    need('expiresAt', 'to accept a risk')
    if (Date.parse(t.expiresAt ?? '') <= now.getTime()) {
      throw new HubError('VIGIL_BAD_REQUEST', 'body/expiresAt must be in the future')
    }
  }
  if (t.state === 'false_positive') need('reason', 'to mark a false positive')
  if (t.state === 'mitigated') need('control', 'to record a mitigation (the compensating control)')
  const patch: Partial<FindingRecord> = {}
  if (t.owner !== undefined) patch.owner = t.owner
  if (t.state !== undefined) {
    const decision: NonNullable<FindingView['decision']> = { by: actor, at: now.toISOString(), why: t.why }
    for (const k of DECISION_FIELDS) {
      const v = t[k]
      if (v !== undefined && v !== null) decision[k] = v
    }
    patch.decision = decision
    patch.notified = {}
  }
  return { to: t.state ?? r.state, patch }
}
