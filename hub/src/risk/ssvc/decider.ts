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
import type { Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { ContextDb, DeviceIdentityRef } from './context-db.js'
import { decide } from './decide.js'

interface Held {
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

const MEMO_LIMIT = 100_000

/**
 * What the decisions of one device's findings share within one pass (a reconcile, a redecide): its
 * effective context and that context's part of the memo key, looked up once instead of per finding.
 * Create one per device per pass (`{}`); it must not outlive a context change.
 */
export interface DeviceScope {
  view?: DeviceContextView
  key?: string
}

export interface DecisionChange {
  deviceId: string
  findingId: string
  before: SsvcOutcome | null
  after: SsvcOutcome
}

export class SsvcDecider {
  readonly #held = new Map<string, Held>()
  readonly #memo = new Map<string, SsvcDecision>()
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
    return { decisions: this.#decisions, held: this.#held.size }
  }

  #compute(deviceId: string, findingId: string, f: Finding, scope: DeviceScope = {}): SsvcDecision {
    this.#decisions++
    const advisory = this.engine.advisories.get(f.advisory)
    const kevEntry = f.kev && f.cve !== null ? this.engine.enrichment.kev.get(f.cve) : undefined
    scope.view ??= this.contexts.view(deviceId, this.identity(deviceId))
    if (scope.key === undefined) {
      const c = scope.view.context
      const src = scope.view.sources
      scope.key = `${c.clinicalFunction}\0${c.exposure}${src.exposure}\0${c.safetyImpact}${src.safetyImpact}\0${c.missionImpact}${src.missionImpact}\0${c.ephi}${src.ephi}`
    }
    const context = scope.view
    const overrides = this.contexts.overridesOf(findingId)
    // Findings that read the same inputs share one decision (a model's devices, one image's findings):
    // the key holds everything `decide` reads, so a hit is exactly what computing would give.
    const key =
      overrides === undefined
        ? `${f.advisory}\0${advisory?.revision ?? ''}\0${f.cve ?? ''}\0${kevEntry?.dateAdded ?? (f.kev ? 'kev' : '')}\0${f.epss ?? ''}\0${scope.key}`
        : undefined
    if (key !== undefined) {
      const shared = this.#memo.get(key)
      if (shared !== undefined) return shared
    }
    const vuln =
      advisory?.source === 'csaf' ? advisory.vulnerabilities.find((v) => v.cve === f.cve) : undefined
    const decision = decide({
      kev: f.kev ? { dateAdded: kevEntry?.dateAdded } : null,
      epss: f.epss ?? null,
      exploit: vuln?.exploit ?? advisory?.exploit ?? null,
      vectors: vuln?.vectors ?? advisory?.vectors ?? [],
      context,
      overrides,
    })
    if (key !== undefined) {
      if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear()
      this.#memo.set(key, decision)
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
    scope?: DeviceScope,
  ): SsvcDecision | undefined {
    if (f === undefined) return this.#held.get(findingId)?.decision
    const held = this.#held.get(findingId)
    if (held !== undefined && held.from === f) return held.decision
    const revision = this.engine.advisories.get(f.advisory)?.revision
    // Re-correlation replaces every finding object of a target; one whose inputs did not change keeps
    // its decision (context changes never come this way: they call `redecide`).
    if (held !== undefined && held.revision === revision && sameInputs(held.from, f)) {
      held.from = f
      return held.decision
    }
    const decision = this.#compute(deviceId, findingId, f, scope)
    this.#held.set(findingId, { from: f, revision, decision })
    return decision
  }

  /** The outcome held for a finding (no computation). */
  outcomeOf(findingId: string): SsvcOutcome | undefined {
    return this.#held.get(findingId)?.decision.outcome
  }

  /**
   * Decides one device's findings again (its context or an override changed). Returns the findings
   * whose outcome changed.
   */
  redecide(deviceId: string, derived: Map<string, Finding>, only?: string): DecisionChange[] {
    const changes: DecisionChange[] = []
    const scope: DeviceScope = {}
    for (const [id, f] of derived) {
      if (only !== undefined && id !== only) continue
      const before = this.#held.get(id)?.decision.outcome ?? null
      const decision = this.#compute(deviceId, id, f, scope)
      this.#held.set(id, { from: f, revision: this.engine.advisories.get(f.advisory)?.revision, decision })
      if (before !== decision.outcome)
        changes.push({ deviceId, findingId: id, before, after: decision.outcome })
    }
    return changes
  }

  forget(findingId: string): void {
    this.#held.delete(findingId)
  }
}
