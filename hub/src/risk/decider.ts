/**
 * SSVC decisions of findings, kept per finding and recomputed only where something they read changed:
 * - a re-correlated target (new advisory revision, KEV/EPSS of one of its CVEs) hands the register new
 *   `Finding` objects: those findings, and only those, are decided again (`decisionOf` sees `from !== f`);
 * - a context change (device, model default, bulk, import) re-decides the findings of the devices it
 *   touches (`redecide`), without correlating anything;
 * - an override re-decides its one finding.
 * `stats().decisions` counts decisions computed (tests use it to tell incremental from full work).
 */
import type { SsvcDecision, SsvcOutcome } from '@vigil/protocol'
import type { Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { ContextDb, DeviceIdentityRef } from './context-db.js'
import { decide } from './ssvc/decide.js'

interface Held {
  from: Finding
  decision: SsvcDecision
}

export interface DecisionChange {
  deviceId: string
  findingId: string
  before: SsvcOutcome | null
  after: SsvcOutcome
}

export class SsvcDecider {
  readonly #held = new Map<string, Held>()
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

  #compute(deviceId: string, findingId: string, f: Finding): SsvcDecision {
    this.#decisions++
    const advisory = this.engine.advisories.get(f.advisory)
    const vuln =
      advisory?.source === 'csaf' ? advisory.vulnerabilities.find((v) => v.cve === f.cve) : undefined
    const kevEntry = f.kev && f.cve !== null ? this.engine.enrichment.kev.get(f.cve) : undefined
    return decide({
      kev: f.kev ? { dateAdded: kevEntry?.dateAdded } : null,
      epss: f.epss ?? null,
      exploit: vuln?.exploit ?? advisory?.exploit ?? null,
      vectors: vuln?.vectors ?? advisory?.vectors ?? [],
      context: this.contexts.view(deviceId, this.identity(deviceId)),
      overrides: this.contexts.overridesOf(findingId),
    })
  }

  /** The decision of a finding, computed again only when its derived content was replaced. */
  decisionOf(deviceId: string, findingId: string, f: Finding | undefined): SsvcDecision | undefined {
    if (f === undefined) return this.#held.get(findingId)?.decision
    const held = this.#held.get(findingId)
    if (held !== undefined && held.from === f) return held.decision
    const decision = this.#compute(deviceId, findingId, f)
    this.#held.set(findingId, { from: f, decision })
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
    for (const [id, f] of derived) {
      if (only !== undefined && id !== only) continue
      const before = this.#held.get(id)?.decision.outcome ?? null
      const decision = this.#compute(deviceId, id, f)
      this.#held.set(id, { from: f, decision })
      if (before !== decision.outcome)
        changes.push({ deviceId, findingId: id, before, after: decision.outcome })
    }
    return changes
  }

  forget(findingId: string): void {
    this.#held.delete(findingId)
  }
}
