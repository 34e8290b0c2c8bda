/**
 * The risk register: a finding per (device, advisory, CVE, component), its state driven by people
 * (transitions) and by the hub (new → open; fixed version observed or advisory withdrawn → resolved;
 * vulnerable version back → open; acceptance expired → open). Every transition is appended to the
 * history and the audit log with who and why, and announced through `emit`.
 *
 * The parts: `reconcile.ts` (the hub's transitions after correlation), `sweep.ts` (expiry, overdue),
 * `transitions.ts` (a person's transition, history, audit), `finding-view.ts` (what a finding shows),
 * `record-index.ts` (records by device and advisory), `records.ts` (what is persisted).
 */
import type {
  BulkResult,
  FindingHistoryEntry,
  FindingTransition,
  FindingView,
  SlaPolicy,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { AuditEntry } from '../../store/types.js'
import type { Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { SsvcDecider } from '../ssvc/decider.js'
import { findingView, type ViewInputs, type ViewScope } from './finding-view.js'
import type { RegisterEvent, RegisterParts } from './parts.js'
import { reconcile } from './reconcile.js'
import { RecordIndex } from './record-index.js'
import { type FindingRecord, findingId, foundEntry, type RegisterDb } from './records.js'
import { DEFAULT_SLA } from './sla.js'
import { sweep } from './sweep.js'
import { personTransition, recordTransition } from './transitions.js'

export type { RegisterEvent } from './parts.js'
export { findingId } from './records.js'

export interface RegisterOptions {
  db: RegisterDb
  engine: CorrelationEngine
  deviceName(deviceId: string): string
  audit(entry: Omit<AuditEntry, 'ts'>): void
  emit(event: RegisterEvent): void
  now?: () => Date
  /** Acceptances expiring within this many days are announced once. */
  expiringWithinDays?: number
  /** SSVC decisions (issue 17); without it findings carry none and due dates follow severity. */
  decider?: SsvcDecider
  /** Whether this hub runs the sweep (one hub of a cluster: jobs/ register.sweep; default yes). */
  sweeps?: () => boolean
}

export class RiskRegister {
  readonly now: () => Date
  readonly #parts: RegisterParts
  readonly #viewInputs: ViewInputs

  constructor(private readonly o: RegisterOptions) {
    this.now = o.now ?? (() => new Date())
    const index = new RecordIndex()
    for (const r of o.db.records.values()) index.add(r)
    this.#viewInputs = {
      engine: o.engine,
      decider: o.decider,
      deviceName: o.deviceName,
      sla: () => this.sla,
      now: this.now,
      versionOf: (id) => o.db.records.versionOf(id),
    }
    this.#parts = {
      db: o.db,
      audit: o.audit,
      engine: o.engine,
      decider: o.decider,
      index,
      emit: o.emit,
      now: this.now,
      derived: (deviceId, advisory) => this.#derived(deviceId, advisory),
      view: (r, f, scope) => this.#view(r, f, scope),
    }
  }

  get sla(): SlaPolicy {
    return this.o.db.settings.get('settings')?.sla ?? DEFAULT_SLA
  }

  setSla(policy: SlaPolicy, actor: string): void {
    this.o.db.settings.put({ id: 'settings', sla: policy })
    this.o.audit({ actor, action: 'register.sla', ok: true, detail: JSON.stringify(policy) })
  }

  /** The device's derived findings (only those of `advisory` when given), by finding id. */
  #derived(deviceId: string, advisory?: string): Map<string, Finding> {
    const out = new Map<string, Finding>()
    const findings =
      advisory === undefined
        ? this.o.engine.findingsFor(deviceId)
        : this.o.engine.findingsOf(deviceId, advisory)
    for (const f of findings) out.set(findingId(deviceId, f), f)
    return out
  }

  #view(r: FindingRecord, derived?: Finding, scope?: ViewScope): FindingView {
    return findingView(this.#viewInputs, r, derived ?? this.#derived(r.deviceId).get(r.id), scope)
  }

  /**
   * Brings the device's records in line with its derived findings (new, resolved, reopened) and decides
   * the findings whose content was replaced. With `only` (an advisory id: the engine upserted that
   * advisory alone), only that advisory's findings and records are looked at.
   */
  reconcile(deviceId: string, only?: string): void {
    reconcile(this.#parts, [deviceId], only)
  }

  /** `reconcile` for every device the engine reported at once (each device one atomic write). */
  reconcileMany(deviceIds: Iterable<string>, only?: string): void {
    reconcile(this.#parts, deviceIds, only)
  }

  /**
   * Decides a device's findings again without correlating anything (its context, its model's default or
   * an override changed); announces the findings whose outcome changed. Returns how many were decided.
   */
  redecide(deviceId: string, only?: string): number {
    const decider = this.o.decider
    if (decider === undefined) return 0
    const derived = this.#derived(deviceId)
    const scope: ViewScope = {}
    for (const c of decider.redecide(deviceId, derived, only)) {
      const r = this.o.db.records.get(c.findingId)
      if (r !== undefined && c.before !== null)
        this.o.emit({
          type: 'finding.decision',
          view: this.#view(r, derived.get(c.findingId), scope),
          before: c.before,
        })
    }
    return only !== undefined ? (derived.has(only) ? 1 : 0) : derived.size
  }

  /**
   * Several hubs: another hub stored a finding record (the change feed put it in `db.records`); this
   * register lists it from now on. A deleted one is skipped by the lists already.
   */
  followRecord(r: FindingRecord): void {
    this.#parts.index.add(r)
  }

  /** The device a finding belongs to, if the register holds it. */
  deviceOf(findingId: string): string | undefined {
    return this.o.db.records.get(findingId)?.deviceId
  }

  /** A deleted device's findings leave the register (their history stays in the log). */
  forgetDevice(deviceId: string): void {
    const ids = this.#parts.index.removeDevice(deviceId)
    if (ids === undefined) return
    for (const id of ids) {
      this.o.db.records.delete(id)
      this.o.decider?.forget(deviceId, id)
    }
    this.o.audit({
      actor: 'system',
      action: 'finding.forget',
      target: deviceId,
      ok: true,
      detail: `${ids.length} finding(s) of a deleted device`,
    })
  }

  /** Expired acceptances reopen; overdue findings and acceptances about to expire are announced once. */
  sweep(): void {
    if (this.o.sweeps && !this.o.sweeps()) return
    sweep(this.#parts, this.o.expiringWithinDays ?? 7)
  }

  get(id: string): FindingView | undefined {
    const r = this.o.db.records.get(id)
    return r ? this.#view(r) : undefined
  }

  /** Every finding of the fleet (or of one device), derived content merged in. */
  views(deviceId?: string): FindingView[] {
    const devices = deviceId !== undefined ? [deviceId] : [...this.#parts.index.devices()]
    const out: FindingView[] = []
    for (const d of devices) {
      const derived = this.#derived(d)
      const scope: ViewScope = {}
      for (const id of this.#parts.index.ids(d)) {
        const r = this.o.db.records.get(id)
        if (r) out.push(this.#view(r, derived.get(id), scope))
      }
    }
    return out
  }

  /** Newest first; the first entry (`found`) from the record when it was not stored (`foundEntry`). */
  async history(id: string): Promise<FindingHistoryEntry[]> {
    const stored = await this.o.db.history.read({ limit: 1000, filter: (e) => e.findingId === id })
    const r = this.o.db.records.get(id)
    if (r === undefined || stored.some((e) => e.from === null)) return stored
    stored.push(foundEntry(r))
    return stored
  }

  /** A person's decision. Throws HubError with the field at fault. */
  transition(id: string, t: FindingTransition, actor: string): FindingView {
    const r = this.#found(id)
    const now = this.now()
    const { to, patch } = personTransition(r, t, actor, now)
    const { record: next, key } = recordTransition(this.#parts, r, to, actor, t.why, now.toISOString(), patch)
    const view = this.#view(next)
    this.o.emit({ type: 'finding.transition', view, from: r.state, actor, why: t.why, key })
    return view
  }

  /**
   * Runs `job` (synchronous) only if the findings are at the versions given, as one atomic step (one
   * transaction on PostgreSQL); otherwise VersionConflictError with the current findings. For changes
   * of a finding made elsewhere (an SSVC decision-point override). Durable once resolved.
   */
  writeIf<R>(expected: { id: string; version: number }[], job: () => R): Promise<R> {
    return this.o.db.writeIf(expected, job)
  }

  /**
   * The finding changed outside its record (an SSVC decision-point override): its version rises, so
   * that an operator who saw it before is refused (If-Match) rather than overwriting it.
   */
  touch(id: string): void {
    const r = this.o.db.records.get(id)
    if (r !== undefined) this.o.db.records.put({ ...r })
  }

  /**
   * A person's decision, written only if the finding is still at `version` (the version the person
   * saw): otherwise VersionConflictError with the current finding, nothing changed (409). Without a
   * version (an old client) it is written as `transition` is. Durable once resolved.
   */
  async decide(id: string, t: FindingTransition, actor: string, version?: number): Promise<FindingView> {
    personTransition(this.#found(id), t, actor, this.now())
    const expected = version === undefined ? [] : [{ id, version }]
    return this.o.db.writeIf(expected, () => this.transition(id, t, actor))
  }

  /**
   * One decision for many findings, all or nothing: every finding is checked first (a refusal of any
   * leaves all unchanged and is reported in `failed`), then all are written in one transaction, if
   * each is at its version in `versions` (else VersionConflictError with the current findings).
   */
  async decideMany(
    ids: string[],
    t: FindingTransition,
    actor: string,
    versions: Record<string, number> = {},
  ): Promise<BulkResult> {
    const failed: BulkResult['failed'] = []
    const now = this.now()
    for (const id of ids) {
      try {
        personTransition(this.#found(id), t, actor, now)
      } catch (err) {
        if (!(err instanceof HubError)) throw err
        failed.push({ id, code: err.code, message: err.message })
      }
    }
    if (failed.length > 0) return { updated: [], failed }
    const expected = ids.flatMap((id) => {
      const version = versions[id]
      return version === undefined ? [] : [{ id, version }]
    })
    await this.o.db.writeIf(expected, () => {
      for (const id of ids) this.transition(id, t, actor)
    })
    return { updated: ids, failed: [] }
  }

  #found(id: string) {
    const r = this.o.db.records.get(id)
    if (r === undefined) throw new HubError('VIGIL_NOT_FOUND', `no finding ${id}`)
    return r
  }
}
