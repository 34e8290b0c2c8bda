/**
 * A finding as the API, exports, webhooks and the live stream show it: the persisted record (state,
 * owner, decision, first seen) merged with its derived content (component, ranges, severity, KEV,
 * EPSS, why), its SSVC decision, due date and the device's clinical function.
 */
import type { FindingView, SlaPolicy } from '@vigil/protocol'
import type { Finding } from '../advisories/index.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { DeviceScope, SsvcDecider } from '../ssvc/decider.js'
import type { FindingRecord } from './records.js'
import { dueDate, isOverdue } from './sla.js'

/**
 * What the views of one device share within one pass (a reconcile, a list): its context (see
 * `DeviceScope`) and its name, looked up once instead of per finding. One per device per pass.
 */
export interface ViewScope extends DeviceScope {
  deviceName?: string
  /** The SLA policy and the time of the pass, read once. */
  sla?: SlaPolicy
  now?: Date
}

export interface ViewInputs {
  engine: CorrelationEngine
  decider: SsvcDecider | undefined
  deviceName(deviceId: string): string
  sla(): SlaPolicy
  now(): Date
  /** The record's version (optimistic concurrency: the version a person's change must name). */
  versionOf(id: string): number | undefined
}

/** The severity a finding's view shows: its derived finding's, else its advisory's. */
export function severityOf(o: Pick<ViewInputs, 'engine'>, r: FindingRecord, f: Finding | undefined) {
  return f?.severity ?? o.engine.advisories.get(r.advisory)?.severity ?? null
}

/** The view of record `r`; `f` is its derived finding (undefined: none held, e.g. resolved). */
export function findingView(
  o: ViewInputs,
  r: FindingRecord,
  f: Finding | undefined,
  scope: ViewScope = {},
): FindingView {
  const severity = severityOf(o, r, f)
  const kevEntry = r.cve ? o.engine.enrichment.kev.get(r.cve) : undefined
  const kev = f?.kev ?? kevEntry !== undefined
  const kevDueDate = f?.kevDueDate ?? kevEntry?.dueDate
  const decider = o.decider
  const ssvc = r.state === 'resolved' ? undefined : decider?.decisionOf(r.deviceId, r.id, f, scope)
  scope.sla ??= o.sla()
  scope.now ??= o.now()
  const due = dueDate(scope.sla, {
    firstSeen: r.firstSeen,
    severity,
    kev,
    kevDueDate,
    outcome: ssvc?.outcome,
  })
  scope.deviceName ??= o.deviceName(r.deviceId)
  const view: FindingView = {
    id: r.id,
    deviceId: r.deviceId,
    deviceName: scope.deviceName,
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
    overdue: isOverdue(r.state, due, scope.now),
    decision: r.decision,
  }
  const version = o.versionOf(r.id)
  if (version !== undefined) view.version = version
  if (kevDueDate !== undefined) view.kevDueDate = kevDueDate
  if (f?.epss !== undefined) view.epss = f.epss
  if (f !== undefined) {
    view.why = { source: f.why.source, entry: f.why.entry, reason: f.why.reason }
    if (f.why.tier !== undefined) view.why.tier = f.why.tier
    if (f.why.identified !== undefined) view.why.identified = f.why.identified
  }
  if (ssvc !== undefined) view.ssvc = ssvc
  if (decider !== undefined) {
    scope.view ??= decider.contexts.view(r.deviceId, decider.identityOf(r.deviceId))
    view.clinicalFunction = scope.view.context.clinicalFunction
  }
  return view
}
