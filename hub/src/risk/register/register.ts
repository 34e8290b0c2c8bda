/**
 * The risk register: a finding per (device, advisory, CVE, component), its state driven by people
 * (transitions) and by the hub (new → open; fixed version observed or advisory withdrawn → resolved;
 * vulnerable version back → open; acceptance expired → open). Every transition is appended to the
 * history and the audit log with who and why, and announced through `emit`.
 */
import { createHash } from 'node:crypto'
import type {
  FindingHistoryEntry,
  FindingState,
  FindingTransition,
  FindingView,
  SlaPolicy,
  SsvcOutcome,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { AuditEntry } from '../../store/types.js'
import type { Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { DeviceScope, SsvcDecider } from '../ssvc/decider.js'
import type { FindingRecord, RegisterDb } from './records.js'
import { DEFAULT_SLA, dueDate, isOverdue } from './sla.js'

export type RegisterEvent =
  | { type: 'finding.new'; view: FindingView }
  | { type: 'finding.transition'; view: FindingView; from: FindingState | null; actor: string; why: string }
  | { type: 'finding.overdue'; view: FindingView }
  | { type: 'acceptance.expiring'; view: FindingView }
  | { type: 'finding.decision'; view: FindingView; before: SsvcOutcome | null }

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
}

const DAY = 86_400_000

export function findingId(deviceId: string, f: Pick<Finding, 'advisory' | 'cve' | 'component'>): string {
  return createHash('sha256')
    .update(`${deviceId}\0${f.advisory}\0${f.cve ?? ''}\0${f.component.name}`)
    .digest('hex')
    .slice(0, 32)
}

export class RiskRegister {
  readonly #byDevice = new Map<string, Set<string>>()
  readonly now: () => Date

  constructor(private readonly o: RegisterOptions) {
    this.now = o.now ?? (() => new Date())
    for (const r of o.db.records.values()) this.#index(r)
  }

  #index(r: FindingRecord): void {
    const set = this.#byDevice.get(r.deviceId) ?? new Set<string>()
    set.add(r.id)
    this.#byDevice.set(r.deviceId, set)
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
    for (const f of this.o.engine.findingsFor(deviceId))
      if (advisory === undefined || f.advisory === advisory) out.set(findingId(deviceId, f), f)
    return out
  }

  #record(
    r: FindingRecord,
    to: FindingState,
    actor: string,
    why: string,
    patch: Partial<FindingRecord> = {},
  ) {
    const from = r.state
    const next: FindingRecord = { ...r, ...patch, state: to }
    this.o.db.records.put(next)
    const entry: FindingHistoryEntry = { findingId: r.id, ts: this.now().toISOString(), actor, from, to, why }
    if (patch.owner !== undefined && patch.owner !== r.owner) entry.owner = patch.owner
    this.o.db.history.append(entry)
    this.o.audit({
      actor,
      action: 'finding.transition',
      target: r.id,
      ok: true,
      detail: `${from} → ${to}: ${why}`,
    })
    return next
  }

  /**
   * Brings the device's records in line with its derived findings (new, resolved, reopened) and decides
   * the findings whose content was replaced. With `only` (an advisory id: the engine upserted that advisory alone
   * and kept every other finding as it was), only that advisory's findings and records are looked at:
   * one new advisory costs its own findings, not every finding of the devices it touches.
   */
  reconcile(deviceId: string, only?: string): void {
    const derived = this.#derived(deviceId, only)
    // The device's context, looked up once for every finding decided here (a new finding is decided
    // when its view is first built).
    const scope: DeviceScope = {}
    const now = this.now().toISOString()
    const known = this.#byDevice.get(deviceId) ?? new Set<string>()
    for (const [id, f] of derived) {
      const r = this.o.db.records.get(id)
      if (r === undefined) {
        const rec: FindingRecord = {
          id,
          deviceId,
          advisory: f.advisory,
          cve: f.cve,
          component: f.component.name,
          firstSeen: now,
          state: 'open',
          owner: null,
          decision: null,
          resolvedAt: null,
        }
        this.o.db.records.put(rec)
        this.#index(rec)
        this.o.db.history.append({
          findingId: id,
          ts: now,
          actor: 'system',
          from: null,
          to: 'open',
          why: 'found',
        })
        this.o.emit({ type: 'finding.new', view: this.#view(rec, f, scope) })
      } else if (r.state === 'resolved') {
        const why = `vulnerable version ${f.component.version} observed again`
        const next = this.#record(r, 'open', 'system', why, {
          resolvedAt: null,
          decision: { by: 'system', at: now, why },
        })
        this.o.emit({
          type: 'finding.transition',
          view: this.#view(next, f, scope),
          from: 'resolved',
          actor: 'system',
          why,
        })
      }
    }
    // A device whose inventory is not (yet) held says nothing about its package findings; its identity
    // (vendor/model/firmware) still decides its CSAF findings.
    const inventoryHeld = this.o.engine.hasInventory(deviceId)
    for (const id of known) {
      if (derived.has(id)) continue
      const r = this.o.db.records.get(id)
      if (r === undefined || r.state === 'resolved') continue
      if (only !== undefined && r.advisory !== only) continue
      const advisory = this.o.engine.advisories.get(r.advisory)
      if (!inventoryHeld && advisory?.source !== 'csaf') continue
      const installed = this.o.engine.installed(deviceId, r.component)
      const firmware = this.o.engine.firmware(deviceId)
      const why =
        advisory === undefined || advisory.withdrawn
          ? `advisory ${r.advisory} withdrawn`
          : advisory.source === 'csaf'
            ? firmware !== undefined
              ? `firmware ${firmware} is not affected`
              : 'device identity no longer matches the advisory'
            : installed !== undefined
              ? `fixed version observed: ${r.component} ${installed}`
              : `${r.component} no longer installed`
      const next = this.#record(r, 'resolved', 'system', why, {
        resolvedAt: now,
        decision: { by: 'system', at: now, why },
      })
      this.o.emit({ type: 'finding.transition', view: this.#view(next), from: r.state, actor: 'system', why })
    }
    // Re-correlated findings (new Finding objects) are decided again; a changed outcome is announced.
    const decider = this.o.decider
    if (decider !== undefined) {
      for (const [id, f] of derived) {
        const before = decider.outcomeOf(id)
        const after = decider.decisionOf(deviceId, id, f, scope)?.outcome
        if (before === undefined || before === after) continue
        const r = this.o.db.records.get(id)
        if (r !== undefined) this.o.emit({ type: 'finding.decision', view: this.#view(r, f, scope), before })
      }
    }
  }

  /**
   * Decides a device's findings again without correlating anything (its context, its model's default or
   * an override changed); announces the findings whose outcome changed. Returns how many were decided.
   */
  redecide(deviceId: string, only?: string): number {
    const decider = this.o.decider
    if (decider === undefined) return 0
    const derived = this.#derived(deviceId)
    for (const c of decider.redecide(deviceId, derived, only)) {
      const r = this.o.db.records.get(c.findingId)
      if (r !== undefined && c.before !== null)
        this.o.emit({
          type: 'finding.decision',
          view: this.#view(r, derived.get(c.findingId)),
          before: c.before,
        })
    }
    return only !== undefined ? (derived.has(only) ? 1 : 0) : derived.size
  }

  /** The device a finding belongs to, if the register holds it. */
  deviceOf(findingId: string): string | undefined {
    return this.o.db.records.get(findingId)?.deviceId
  }

  /** A deleted device's findings leave the register (their history stays in the log). */
  forgetDevice(deviceId: string): void {
    const ids = this.#byDevice.get(deviceId)
    if (ids === undefined) return
    for (const id of ids) {
      this.o.db.records.delete(id)
      this.o.decider?.forget(id)
    }
    this.#byDevice.delete(deviceId)
    this.o.audit({
      actor: 'system',
      action: 'finding.forget',
      target: deviceId,
      ok: true,
      detail: `${ids.size} finding(s) of a deleted device`,
    })
  }

  /** Expired acceptances reopen; overdue findings and acceptances about to expire are announced once. */
  sweep(): void {
    const now = this.now()
    const soon = now.getTime() + (this.o.expiringWithinDays ?? 7) * DAY
    // Derived findings are looked up once per device, not once per record.
    const cache = new Map<string, Map<string, Finding>>()
    const derivedOf = (deviceId: string) => {
      const held = cache.get(deviceId)
      if (held !== undefined) return held
      const fresh = this.#derived(deviceId)
      cache.set(deviceId, fresh)
      return fresh
    }
    for (const r of this.o.db.records.values()) {
      if (r.state === 'accepted' && r.decision?.expiresAt !== undefined) {
        const expires = Date.parse(r.decision.expiresAt)
        if (expires <= now.getTime()) {
          const why = `acceptance expired at ${r.decision.expiresAt}`
          const next = this.#record(r, 'open', 'system', why, {
            decision: { by: 'system', at: now.toISOString(), why },
          })
          this.o.emit({
            type: 'finding.transition',
            view: this.#view(next),
            from: 'accepted',
            actor: 'system',
            why,
          })
          continue
        }
        if (expires <= soon && r.notified?.expiring !== r.decision.expiresAt) {
          const next = { ...r, notified: { ...r.notified, expiring: r.decision.expiresAt } }
          this.o.db.records.put(next)
          this.o.emit({
            type: 'acceptance.expiring',
            view: this.#view(next, derivedOf(r.deviceId).get(r.id)),
          })
        }
      }
      if (r.state !== 'open' && r.state !== 'in_progress') continue
      const view = this.#view(r, derivedOf(r.deviceId).get(r.id))
      if (view.overdue && r.notified?.overdue !== view.dueDate) {
        this.o.db.records.put({ ...r, notified: { ...r.notified, overdue: view.dueDate } })
        this.o.emit({ type: 'finding.overdue', view })
      }
    }
  }

  #view(r: FindingRecord, derived?: Finding, scope?: DeviceScope): FindingView {
    const f = derived ?? this.#derived(r.deviceId).get(r.id)
    const advisory = this.o.engine.advisories.get(r.advisory)
    const severity = f?.severity ?? advisory?.severity ?? null
    const kevEntry = r.cve ? this.o.engine.enrichment.kev.get(r.cve) : undefined
    const kev = f?.kev ?? kevEntry !== undefined
    const kevDueDate = f?.kevDueDate ?? kevEntry?.dueDate
    const ssvc = r.state === 'resolved' ? undefined : this.o.decider?.decisionOf(r.deviceId, r.id, f, scope)
    const due = dueDate(this.sla, {
      firstSeen: r.firstSeen,
      severity,
      kev,
      kevDueDate,
      outcome: ssvc?.outcome,
    })
    const view: FindingView = {
      id: r.id,
      deviceId: r.deviceId,
      deviceName: this.o.deviceName(r.deviceId),
      advisory: r.advisory,
      cve: r.cve,
      component: f?.component ?? { name: r.component, version: '', purl: null },
      affected: f?.affected ?? '',
      fixed: f?.fixed ?? null,
      severity,
      kev,
      confidence: f?.confidence ?? 'exact',
      state: r.state,
      owner: r.owner,
      firstSeen: r.firstSeen,
      resolvedAt: r.resolvedAt,
      dueDate: due.toISOString(),
      overdue: isOverdue(r.state, due, this.now()),
      decision: r.decision,
    }
    if (kevDueDate !== undefined) view.kevDueDate = kevDueDate
    if (f?.epss !== undefined) view.epss = f.epss
    if (f !== undefined) {
      view.why = { source: f.why.source, entry: f.why.entry, reason: f.why.reason }
      if (f.why.tier !== undefined) view.why.tier = f.why.tier
      if (f.why.identified !== undefined) view.why.identified = f.why.identified
    }
    if (ssvc !== undefined) view.ssvc = ssvc
    const decider = this.o.decider
    if (decider !== undefined)
      view.clinicalFunction = decider.contexts.view(
        r.deviceId,
        decider.identityOf(r.deviceId),
      ).context.clinicalFunction
    return view
  }

  get(id: string): FindingView | undefined {
    const r = this.o.db.records.get(id)
    return r ? this.#view(r) : undefined
  }

  /** Every finding of the fleet (or of one device), derived content merged in. */
  views(deviceId?: string): FindingView[] {
    const devices = deviceId !== undefined ? [deviceId] : [...this.#byDevice.keys()]
    const out: FindingView[] = []
    for (const d of devices) {
      const derived = this.#derived(d)
      for (const id of this.#byDevice.get(d) ?? []) {
        const r = this.o.db.records.get(id)
        if (r) out.push(this.#view(r, derived.get(id)))
      }
    }
    return out
  }

  async history(id: string): Promise<FindingHistoryEntry[]> {
    return this.o.db.history.read({ limit: 1000, filter: (e) => e.findingId === id })
  }

  /** A person's decision. Throws HubError with the field at fault. */
  transition(id: string, t: FindingTransition, actor: string): FindingView {
    const r = this.o.db.records.get(id)
    if (r === undefined) throw new HubError('VIGIL_NOT_FOUND', `no finding ${id}`)
    if (t.state === undefined && t.owner === undefined) {
      throw new HubError('VIGIL_BAD_REQUEST', 'body must name a state or an owner')
    }
    const now = this.now()
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
    const to = t.state ?? r.state
    const patch: Partial<FindingRecord> = {}
    if (t.owner !== undefined) patch.owner = t.owner
    if (t.state !== undefined) {
      const decision: NonNullable<FindingView['decision']> = { by: actor, at: now.toISOString(), why: t.why }
      for (const k of [
        'justification',
        'approver',
        'expiresAt',
        'reason',
        'control',
        'vexJustification',
      ] as const) {
        const v = t[k]
        if (v !== undefined && v !== null) decision[k] = v
      }
      patch.decision = decision
      patch.notified = {}
    }
    const next = this.#record(r, to, actor, t.why, patch)
    const view = this.#view(next)
    this.o.emit({ type: 'finding.transition', view, from: r.state, actor, why: t.why })
    return view
  }
}
