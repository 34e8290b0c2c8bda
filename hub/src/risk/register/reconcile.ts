/**
 * The hub's own transitions after correlation: a derived finding without a record is new (open); a
 * resolved one whose vulnerable version is back reopens; a record whose finding is no longer derived is
 * resolved (fixed version observed, component gone, firmware not affected, advisory withdrawn).
 * Re-correlated findings (new `Finding` objects) are decided again and a changed outcome is announced.
 *
 * The writes of one device are one atomic journal entry (`RegisterDb.atomic`); the events of a pass
 * are announced once all of it is written. An event's view is built when it is first read (`PassEvent`): a
 * new advisory on 1,000 devices announces thousands of new findings, and a hub with no one listening
 * (no live stream, no webhook) would otherwise build every view for nothing (issue 17: about a fifth
 * of the pass).
 */
import type { FindingState, FindingView, Severity, SsvcOutcome } from '@vigil/protocol'
import type { Finding } from '../advisories/index.js'
import { severityOf, type ViewScope } from './finding-view.js'
import type { RegisterEvent, RegisterParts } from './parts.js'
import type { FindingRecord } from './records.js'
import { recordTransition } from './transitions.js'

/**
 * An event of the pass, announced once all of the pass is written: its `view` is built on first read,
 * then kept (listeners read it while the pass is announced: it shows the finding as the pass left it).
 * A class with the getter on its prototype, not an object literal with its own getter: that cost a
 * closure, an accessor and a context per event, and a new advisory on 1,000 devices announces ~8,000
 * (4-6 ms of a ~50 ms pass, most of it in collecting them).
 */
class PassEvent {
  readonly #p: RegisterParts
  readonly #r: FindingRecord
  /** The derived finding (undefined: looked up when the view is built). */
  readonly #f: Finding | undefined
  readonly #scope: ViewScope | undefined
  #view: FindingView | undefined
  constructor(p: RegisterParts, r: FindingRecord, f: Finding | undefined, scope: ViewScope | undefined) {
    this.#p = p
    this.#r = r
    this.#f = f
    this.#scope = scope
  }
  get view(): FindingView {
    this.#view ??= this.#p.view(this.#r, this.#f, this.#scope)
    return this.#view
  }
  get deviceId(): string {
    return this.#r.deviceId
  }
}

class NewFinding extends PassEvent {
  readonly type = 'finding.new'
  readonly kev: boolean
  readonly severity: Severity | null
  readonly found: Finding
  constructor(p: RegisterParts, r: FindingRecord, f: Finding, scope: ViewScope) {
    super(p, r, f, scope)
    this.kev = f.kev
    this.severity = severityOf(p, r, f)
    this.found = f
  }
}

class Transition extends PassEvent {
  readonly type = 'finding.transition'
  readonly actor = 'system'
  constructor(
    p: RegisterParts,
    r: FindingRecord,
    f: Finding | undefined,
    scope: ViewScope | undefined,
    readonly from: FindingState | null,
    readonly why: string,
    /** The history entry's key. */
    readonly key: string,
  ) {
    super(p, r, f, scope)
  }
}

class DecisionChange extends PassEvent {
  readonly type = 'finding.decision'
  readonly fromCorrelation = true
  constructor(
    p: RegisterParts,
    r: FindingRecord,
    f: Finding,
    scope: ViewScope,
    readonly before: SsvcOutcome,
  ) {
    super(p, r, f, scope)
  }
}

/**
 * Brings one device's records in line with its derived findings. With `only` (an advisory id: the
 * engine upserted that advisory alone and kept every other finding as it was), only that advisory's
 * findings and records are looked at: one new advisory costs its own findings, not every finding of the
 * devices it touches. Events go to `out`.
 */
function reconcileDevice(
  p: RegisterParts,
  deviceId: string,
  only: string | undefined,
  ts: string,
  out: RegisterEvent[],
): void {
  const derived = p.derived(deviceId, only)
  const records = p.db.records
  const decider = p.decider
  // The device's context and name, looked up once for every finding of this pass.
  const scope: ViewScope = {}
  // Scoped to one advisory, the index names the device's records of it (every record is indexed): the
  // findings of a new advisory need no lookup among all the fleet's records.
  const held = only !== undefined ? p.index.idsOf(deviceId, only) : undefined
  /** New records (stored together below) and their findings. */
  const created: FindingRecord[] = []
  const createdFrom: Finding[] = []
  for (const [id, f] of derived) {
    const r = held === undefined || held.has(id) ? records.get(id) : undefined
    if (r === undefined) {
      created.push({
        id,
        deviceId,
        advisory: f.advisory,
        cve: f.cve,
        component: f.component.name,
        firstSeen: ts,
        state: 'open',
        owner: null,
        decision: null,
        resolvedAt: null,
      })
      createdFrom.push(f)
      continue
    } else if (r.state === 'resolved') {
      const why = `vulnerable version ${f.component.version} observed again`
      const { record: next, key } = recordTransition(p, r, 'open', 'system', why, ts, {
        resolvedAt: null,
        decision: { by: 'system', at: ts, why },
      })
      // Decided now, as its view would: the reopening is the announcement, not a decision change.
      decider?.decisionOf(deviceId, id, f, scope)
      out.push(new Transition(p, next, f, scope, 'resolved', why, key))
      continue
    }
    // Re-correlated findings are decided again; a changed outcome is announced. Records resolved below
    // are other findings (not derived).
    const before = decider?.outcomeChange(deviceId, id, f, scope)
    if (before !== undefined) out.push(new DecisionChange(p, r, f, scope, before))
  }
  // A device whose inventory is not (yet) held says nothing about its package findings; its identity
  // (vendor/model/firmware) still decides its CSAF findings.
  const inventoryHeld = p.engine.hasInventory(deviceId)
  for (const id of held ?? p.index.ids(deviceId)) {
    if (derived.has(id)) continue
    const r = records.get(id)
    if (r === undefined || r.state === 'resolved') continue
    const advisory = p.engine.advisories.get(r.advisory)
    if (!inventoryHeld && advisory?.source !== 'csaf') continue
    const why = resolvedBecause(p, deviceId, r, advisory)
    const { record: next, key } = recordTransition(p, r, 'resolved', 'system', why, ts, {
      resolvedAt: ts,
      decision: { by: 'system', at: ts, why },
    })
    out.push(new Transition(p, next, undefined, undefined, r.state, why, key))
  }
  if (created.length === 0) return
  // One journal entry for the device's new records: they share the advisory (when scoped), the device,
  // the time and the state, written once (`putMany`). No history line: a record's first-seen time is
  // its `found` entry (`foundEntry`).
  records.putMany(created)
  for (const [i, r] of created.entries()) {
    const f = createdFrom[i] as Finding
    p.index.add(r)
    // Decided now: the new finding is the announcement (its view carries the decision), not a change of
    // a decision the decider may hold from before the record existed.
    decider?.decideNew(deviceId, r.id, f, scope)
    out.push(new NewFinding(p, r, f, scope))
  }
}

function resolvedBecause(
  p: RegisterParts,
  deviceId: string,
  r: FindingRecord,
  advisory: ReturnType<RegisterParts['engine']['advisories']['get']>,
): string {
  if (advisory === undefined || advisory.withdrawn) return `advisory ${r.advisory} withdrawn`
  if (advisory.source === 'csaf') {
    const firmware = p.engine.firmware(deviceId)
    return firmware !== undefined
      ? `firmware ${firmware} is not affected`
      : 'device identity no longer matches the advisory'
  }
  const installed = p.engine.installed(deviceId, r.component)
  return installed !== undefined
    ? `fixed version observed: ${r.component} ${installed}`
    : `${r.component} no longer installed`
}

/**
 * Reconciles `devices` (only the findings of advisory `only` when given), each device's records and
 * history as one atomic write (one journal line, however many findings; not one line for every device
 * of a full re-correlation), then announces what changed.
 */
export function reconcile(p: RegisterParts, devices: Iterable<string>, only?: string): void {
  const ts = p.now().toISOString()
  const events: RegisterEvent[] = []
  for (const deviceId of devices) p.db.atomic(() => reconcileDevice(p, deviceId, only, ts, events))
  for (const e of events) p.emit(e)
}
