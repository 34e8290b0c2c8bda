/**
 * The hub's own transitions after correlation: a derived finding without a record is new (open); a
 * resolved one whose vulnerable version is back reopens; a record whose finding is no longer derived is
 * resolved (fixed version observed, component gone, firmware not affected, advisory withdrawn).
 * Re-correlated findings (new `Finding` objects) are decided again and a changed outcome is announced.
 *
 * The writes of one device are one atomic journal entry (`RegisterDb.atomic`); the events of a pass
 * are announced once all of it is written.
 */
import type { FindingHistoryEntry } from '@vigil/protocol'
import type { ViewScope } from './finding-view.js'
import type { RegisterEvent, RegisterParts } from './parts.js'
import type { FindingRecord } from './records.js'
import { historyKey, recordTransition } from './transitions.js'

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
  // The device's context and name, looked up once for every finding of this pass.
  const scope: ViewScope = {}
  for (const [id, f] of derived) {
    const r = records.get(id)
    if (r === undefined) {
      const rec: FindingRecord = {
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
      }
      records.put(rec)
      p.index.add(rec)
      const found: FindingHistoryEntry = {
        findingId: id,
        ts,
        actor: 'system',
        from: null,
        to: 'open',
        why: 'found',
      }
      p.db.history.append(found, historyKey(found, undefined))
      out.push({ type: 'finding.new', view: p.view(rec, f, scope) })
    } else if (r.state === 'resolved') {
      const why = `vulnerable version ${f.component.version} observed again`
      const next = recordTransition(p, r, 'open', 'system', why, ts, {
        resolvedAt: null,
        decision: { by: 'system', at: ts, why },
      })
      out.push({
        type: 'finding.transition',
        view: p.view(next, f, scope),
        from: 'resolved',
        actor: 'system',
        why,
      })
    }
  }
  // A device whose inventory is not (yet) held says nothing about its package findings; its identity
  // (vendor/model/firmware) still decides its CSAF findings.
  const inventoryHeld = p.engine.hasInventory(deviceId)
  for (const id of p.index.ids(deviceId, only)) {
    if (derived.has(id)) continue
    const r = records.get(id)
    if (r === undefined || r.state === 'resolved') continue
    const advisory = p.engine.advisories.get(r.advisory)
    if (!inventoryHeld && advisory?.source !== 'csaf') continue
    const why = resolvedBecause(p, deviceId, r, advisory)
    const next = recordTransition(p, r, 'resolved', 'system', why, ts, {
      resolvedAt: ts,
      decision: { by: 'system', at: ts, why },
    })
    out.push({ type: 'finding.transition', view: p.view(next), from: r.state, actor: 'system', why })
  }
  const decider = p.decider
  if (decider === undefined) return
  for (const [id, f] of derived) {
    const before = decider.outcomeOf(deviceId, id, scope)
    const after = decider.decisionOf(deviceId, id, f, scope)?.outcome
    if (before === undefined || before === after) continue
    const r = records.get(id)
    if (r !== undefined) out.push({ type: 'finding.decision', view: p.view(r, f, scope), before })
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
