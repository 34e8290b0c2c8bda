/**
 * What the register's passes (reconcile, sweep) share with the `RiskRegister` that runs them, and the
 * events it announces.
 */
import type { FindingState, FindingView, Severity, SsvcOutcome } from '@vigil/protocol'
import type { Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { SsvcDecider } from '../ssvc/decider.js'
import type { ViewScope } from './finding-view.js'
import type { RecordIndex } from './record-index.js'
import type { FindingRecord } from './records.js'
import type { TransitionLog } from './transitions.js'

export type RegisterEvent =
  | {
      type: 'finding.new'
      view: FindingView
      /** What the view shows, known without building it (a new advisory announces thousands). */
      kev: boolean
      severity: Severity | null
      deviceId: string
      found: Pick<Finding, 'advisory' | 'cve' | 'component'>
    }
  | {
      type: 'finding.transition'
      view: FindingView
      from: FindingState | null
      actor: string
      why: string
      /**
       * The history entry's key (`historyKey`): two hubs making this change from the same record make
       * the same key, so its webhook deliveries are queued once (`risk/webhook-events.ts`).
       */
      key?: string
    }
  | { type: 'finding.overdue'; view: FindingView }
  | { type: 'acceptance.expiring'; view: FindingView }
  | {
      type: 'finding.decision'
      view: FindingView
      before: SsvcOutcome | null
      /**
       * Decided again by correlation (the correlation job's holder; two hubs may briefly both hold it),
       * not by a request to one hub (an asset context or an override).
       */
      fromCorrelation?: true
    }

export interface RegisterParts extends TransitionLog {
  engine: CorrelationEngine
  decider: SsvcDecider | undefined
  index: RecordIndex
  emit(event: RegisterEvent): void
  now(): Date
  /** The device's derived findings (only those of `advisory` when given), by finding id. */
  derived(deviceId: string, advisory?: string): Map<string, Finding>
  /** The view of a record; its derived finding is looked up when `f` is not given. */
  view(r: FindingRecord, f?: Finding, scope?: ViewScope): FindingView
}
