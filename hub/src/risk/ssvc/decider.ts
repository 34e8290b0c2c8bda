/**
 * SSVC decisions of findings, kept per finding and recomputed only where something they read changed:
 * - a re-correlated target (new advisory revision, KEV/EPSS of one of its CVEs) hands the register new
 *   `Finding` objects: those whose KEV, EPSS, CVE or advisory revision changed are decided again
 *   (`decisionOf`), the others keep their decision;
 * - a context change (device, model default, bulk, import) re-decides the findings of the devices it
 *   touches (`redecide`), without correlating anything;
 * - an override re-decides its one finding.
 * `stats().decisions` counts decisions computed (tests use it to tell incremental from full work).
 */
import type { DeviceContextView, SsvcDecision, SsvcOutcome } from '@vigil/protocol'
import type { Advisory, Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { ContextDb, DeviceIdentityRef } from './context-db.js'
import { type AdvisoryPoints, advisoryPoints, type ContextPoints, combine, contextPoints } from './decide.js'

export interface Held {
  from: Finding
  /** The advisory revision the decision read (a revision may change its vectors or exploit statement). */
  revision: string | undefined
  decision: SsvcDecision
}

/** Whether a re-correlated finding carries what its decision read unchanged. */
function sameInputs(a: Finding, b: Finding): boolean {
  return (
    a.advisory === b.advisory &&
    a.cve === b.cve &&
    a.kev === b.kev &&
    a.kevDueDate === b.kevDueDate &&
    a.epss === b.epss
  )
}

/**
 * The advisory side of decisions: the points one advisory's finding decides (exploitation, automatable),
 * computed once, and the decision for each context side it met (a table lookup after the first).
 */
interface AdvisorySide {
  points: AdvisoryPoints
  /** Decisions without overrides, by context side id. */
  byContext: Map<number, SsvcDecision>
}

/** The context side: the points one distinct effective context decides, with a number for lookups. */
interface ContextSide {
  id: number
  points: ContextPoints
}

/** What a `Finding` object's advisory side was computed from (the advisory and KEV entry objects). */
interface FindingSide {
  advisory: Advisory | undefined
  kevDateAdded: string | undefined
  side: AdvisorySide
}

/** Context sides kept before the table starts again (distinct decision-relevant contexts are few). */
const CONTEXT_LIMIT = 10_000

/**
 * What the decisions of one device's findings share within one pass (a reconcile, a redecide): its
 * effective context and that context's side (points, lookup number), computed once instead of per
 * finding. Create one per device per pass (`{}`); it must not outlive a context change.
 */
export interface DeviceScope {
  view?: DeviceContextView
  side?: ContextSide
  /** The device's held decisions. */
  held?: Map<string, Held>
}

export interface DecisionChange {
  deviceId: string
  findingId: string
  before: SsvcOutcome | null
  after: SsvcOutcome
}

/**
 * Decisions are memoized by (advisory side, context side): `decide` reads the advisory side's inputs
 * (KEV, EPSS, the advisory's exploit statement and vectors) and the device's effective context and
 * nothing else, so the points of each side are computed once (per advisory object and CVE/KEV/EPSS;
 * per distinct context) and a finding's decision is a lookup. A finding with an override is combined
 * on its own. `decide.ts`'s `decide` is the direct computation; tests hold both equal.
 */
export class SsvcDecider {
  /** Decisions held by device, then finding id (small maps per device: a fleet holds ~10^6 findings). */
  readonly #held = new Map<string, Map<string, Held>>()
  #heldCount = 0
  /** Advisory sides by advisory object (a new revision is a new object), then CVE/KEV/EPSS. */
  readonly #byAdvisory = new WeakMap<Advisory, Map<string, AdvisorySide>>()
  /** Advisory sides of findings whose advisory is not held (withdrawn, deleted). */
  #noAdvisory = new Map<string, AdvisorySide>()
  /** The side each `Finding` object was given, with what it was computed from. */
  readonly #ofFinding = new WeakMap<Finding, FindingSide>()
  #contexts = new Map<string, ContextSide>()
  #contextSeq = 0
  #decisions = 0

  constructor(
    private readonly engine: CorrelationEngine,
    readonly contexts: ContextDb,
    private readonly identity: (deviceId: string) => DeviceIdentityRef | undefined,
  ) {}

  identityOf(deviceId: string): DeviceIdentityRef | undefined {
    return this.identity(deviceId)
  }

  stats(): { decisions: number; held: number } {
    return { decisions: this.#decisions, held: this.#heldCount }
  }

  #contextSide(view: DeviceContextView): ContextSide {
    const c = view.context
    const src = view.sources
    const key = `${c.clinicalFunction}\0${c.exposure}${src.exposure}\0${c.safetyImpact}${src.safetyImpact}\0${c.missionImpact}${src.missionImpact}\0${c.ephi}${src.ephi}`
    let side = this.#contexts.get(key)
    if (side === undefined) {
      // Ids are never reused: a decision cached under an old id is simply not found again.
      if (this.#contexts.size >= CONTEXT_LIMIT) this.#contexts = new Map()
      side = { id: this.#contextSeq++, points: contextPoints(view) }
      this.#contexts.set(key, side)
    }
    return side
  }

  #advisorySide(f: Finding): AdvisorySide {
    const advisory = this.engine.advisories.get(f.advisory)
    const kevDateAdded =
      f.kev && f.cve !== null ? this.engine.enrichment.kev.get(f.cve)?.dateAdded : undefined
    const held = this.#ofFinding.get(f)
    if (held !== undefined && held.advisory === advisory && held.kevDateAdded === kevDateAdded)
      return held.side
    // Everything the advisory side reads besides the advisory object itself.
    const key = `${f.cve ?? ''}\0${f.kev ? `kev${kevDateAdded ?? ''}` : ''}\0${f.epss ?? ''}`
    let sides: Map<string, AdvisorySide> | undefined
    if (advisory === undefined) sides = this.#noAdvisory
    else {
      sides = this.#byAdvisory.get(advisory)
      if (sides === undefined) {
        sides = new Map()
        this.#byAdvisory.set(advisory, sides)
      }
    }
    let side = sides.get(key)
    if (side === undefined) {
      const vuln =
        advisory?.source === 'csaf' ? advisory.vulnerabilities.find((v) => v.cve === f.cve) : undefined
      side = {
        points: advisoryPoints({
          kev: f.kev ? (kevDateAdded !== undefined ? { dateAdded: kevDateAdded } : {}) : null,
          epss: f.epss ?? null,
          exploit: vuln?.exploit ?? advisory?.exploit ?? null,
          vectors: vuln?.vectors ?? advisory?.vectors ?? [],
        }),
        byContext: new Map(),
      }
      if (advisory === undefined && this.#noAdvisory.size >= CONTEXT_LIMIT) this.#noAdvisory = new Map()
      sides.set(key, side)
    }
    this.#ofFinding.set(f, { advisory, kevDateAdded, side })
    return side
  }

  #compute(deviceId: string, findingId: string, f: Finding, scope: DeviceScope = {}): SsvcDecision {
    this.#decisions++
    scope.view ??= this.contexts.view(deviceId, this.identity(deviceId))
    scope.side ??= this.#contextSide(scope.view)
    const context = scope.side
    const advisory = this.#advisorySide(f)
    const overrides = this.contexts.hasOverrides() ? this.contexts.overridesOf(findingId) : undefined
    if (overrides !== undefined) return combine(advisory.points, context.points, overrides)
    let decision = advisory.byContext.get(context.id)
    if (decision === undefined) {
      decision = combine(advisory.points, context.points)
      advisory.byContext.set(context.id, decision)
    }
    return decision
  }

  /**
   * The decision of a finding, computed again only when its derived content was replaced. `scope`
   * shares the device's context between the findings of one pass (see `DeviceScope`).
   */
  decisionOf(
    deviceId: string,
    findingId: string,
    f: Finding | undefined,
    scope: DeviceScope = {},
  ): SsvcDecision | undefined {
    if (f === undefined) return (scope.held ?? this.#held.get(deviceId))?.get(findingId)?.decision
    const device = this.#device(deviceId, scope)
    return this.#decide(device, device.get(findingId), deviceId, findingId, f, scope)
  }

  /**
   * Decides a finding as `decisionOf` does (one lookup of what is held, not two) and answers the outcome
   * held before when the decision changed it; undefined when nothing was held or the outcome stayed.
   */
  outcomeChange(
    deviceId: string,
    findingId: string,
    f: Finding,
    scope: DeviceScope = {},
  ): SsvcOutcome | undefined {
    const device = this.#device(deviceId, scope)
    const held = device.get(findingId)
    const before = held?.decision.outcome
    const after = this.#decide(device, held, deviceId, findingId, f, scope).outcome
    return before !== after ? before : undefined
  }

  /**
   * Decides a finding the register has just created and holds the decision, replacing any held from
   * before (no lookup first: a new advisory creates thousands, each a miss in its device's decisions).
   */
  decideNew(deviceId: string, findingId: string, f: Finding, scope: DeviceScope = {}): void {
    const device = this.#device(deviceId, scope)
    const decision = this.#compute(deviceId, findingId, f, scope)
    const size = device.size
    device.set(findingId, { from: f, revision: this.engine.advisories.get(f.advisory)?.revision, decision })
    if (device.size > size) this.#heldCount++
  }

  #decide(
    device: Map<string, Held>,
    held: Held | undefined,
    deviceId: string,
    findingId: string,
    f: Finding,
    scope: DeviceScope,
  ): SsvcDecision {
    if (held !== undefined && held.from === f) return held.decision
    const revision = this.engine.advisories.get(f.advisory)?.revision
    // Re-correlation replaces every finding object of a target; one whose inputs did not change keeps
    // its decision (context changes never come this way: they call `redecide`).
    if (held !== undefined && held.revision === revision && sameInputs(held.from, f)) {
      held.from = f
      return held.decision
    }
    const decision = this.#compute(deviceId, findingId, f, scope)
    this.#hold(device, held, findingId, f, revision, decision)
    return decision
  }

  #device(deviceId: string, scope: DeviceScope): Map<string, Held> {
    if (scope.held !== undefined) return scope.held
    let device = this.#held.get(deviceId)
    if (device === undefined) {
      device = new Map()
      this.#held.set(deviceId, device)
    }
    scope.held = device
    return device
  }

  #hold(
    device: Map<string, Held>,
    held: Held | undefined,
    findingId: string,
    from: Finding,
    revision: string | undefined,
    decision: SsvcDecision,
  ): void {
    if (held !== undefined) {
      held.from = from
      held.revision = revision
      held.decision = decision
    } else {
      device.set(findingId, { from, revision, decision })
      this.#heldCount++
    }
  }

  /**
   * Decides one device's findings again (its context or an override changed). Returns the findings
   * whose outcome changed.
   */
  redecide(deviceId: string, derived: Map<string, Finding>, only?: string): DecisionChange[] {
    const changes: DecisionChange[] = []
    const scope: DeviceScope = {}
    const device = this.#device(deviceId, scope)
    for (const [id, f] of derived) {
      if (only !== undefined && id !== only) continue
      const held = device.get(id)
      const before = held?.decision.outcome ?? null
      const decision = this.#compute(deviceId, id, f, scope)
      this.#hold(device, held, id, f, this.engine.advisories.get(f.advisory)?.revision, decision)
      if (before !== decision.outcome)
        changes.push({ deviceId, findingId: id, before, after: decision.outcome })
    }
    return changes
  }

  /** A finding that left the register. */
  forget(deviceId: string, findingId: string): void {
    const device = this.#held.get(deviceId)
    if (device?.delete(findingId)) this.#heldCount--
    if (device?.size === 0) this.#held.delete(deviceId)
  }
}
