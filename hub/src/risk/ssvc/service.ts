/**
 * Asset context changes and SSVC overrides, each followed by re-deciding exactly the findings it can
 * change (no correlation): a device → its findings; a model default → the findings of that model's
 * devices; an override → its one finding. Every change is audited.
 */
import type {
  BulkContext,
  ContextImport,
  ContextImportResult,
  DeviceContext,
  ModelContext,
  SsvcOverride,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { AuditEntry, DeviceRecord } from '../../store/types.js'
import type { ContextDb } from './context-db.js'
import { planImport } from './csv-import.js'
import { pointValues, validPointValue } from './decide.js'

/** What the context service asks of the risk register (which owns the findings it re-decides). */
export interface RedecidingRegister {
  /** Decides again the findings of a device (or one of them); answers how many changed. */
  redecide(deviceId: string, only?: string): number
  deviceOf(findingId: string): string | undefined
}

export interface ContextServiceOptions {
  db: ContextDb
  register: RedecidingRegister
  devices: { get(id: string): DeviceRecord | undefined; all(): DeviceRecord[] }
  audit(entry: Omit<AuditEntry, 'ts'>): void
  now?: () => Date
}

export class ContextService {
  constructor(private readonly o: ContextServiceOptions) {}

  view(deviceId: string) {
    const d = this.o.devices.get(deviceId)
    if (d === undefined) throw new HubError('VIGIL_NOT_FOUND', `no device ${deviceId}`)
    return this.o.db.view(deviceId, d.identity)
  }

  /** One device's context (PATCH /api/v1/devices/:id `context`); returns how many findings were re-decided. */
  setDevice(deviceId: string, change: DeviceContext, actor: string): number {
    if (this.o.devices.get(deviceId) === undefined)
      throw new HubError('VIGIL_NOT_FOUND', `no device ${deviceId}`)
    this.o.db.setDevice(deviceId, change)
    this.o.audit({
      actor,
      action: 'device.context',
      target: deviceId,
      ok: true,
      detail: JSON.stringify(change),
    })
    return this.o.register.redecide(deviceId)
  }

  bulk(b: BulkContext, actor: string): { updated: number; redecided: number } {
    const ids = [...new Set(b.ids)]
    const unknown = ids.filter((id) => this.o.devices.get(id) === undefined)
    if (unknown.length > 0)
      throw new HubError(
        'VIGIL_NOT_FOUND',
        `no device ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '…' : ''}`,
      )
    let redecided = 0
    for (const id of ids) {
      this.o.db.setDevice(id, b.context)
      redecided += this.o.register.redecide(id)
    }
    this.o.audit({
      actor,
      action: 'device.context.bulk',
      ok: true,
      detail: `${ids.length} device(s): ${JSON.stringify(b.context)}`,
    })
    return { updated: ids.length, redecided }
  }

  models(): ModelContext[] {
    return this.o.db.modelDefaults()
  }

  /** The default of a vendor + model; re-decides the findings of that model's devices. */
  setModel(m: ModelContext, actor: string): number {
    this.o.db.setModel(m)
    this.o.audit({
      actor,
      action: 'model.context',
      target: `${m.vendor} ${m.model}`,
      ok: true,
      detail: JSON.stringify(m.context),
    })
    let redecided = 0
    for (const d of this.o.devices.all()) {
      if (d.identity?.vendor === m.vendor && d.identity.model === m.model)
        redecided += this.o.register.redecide(d.id)
    }
    return redecided
  }

  import(req: ContextImport, actor: string): ContextImportResult {
    const index = new Map<string, Set<string>>()
    const add = (key: string | undefined, id: string) => {
      if (!key) return
      const k = key.trim().toLowerCase()
      const set = index.get(k) ?? new Set<string>()
      set.add(id)
      index.set(k, set)
    }
    for (const d of this.o.devices.all()) {
      add(d.id, d.id)
      add(d.name, d.id)
      add(d.identity?.hostname, d.id)
      add(d.identity?.serial, d.id)
    }
    const rows = planImport(req, { lookup: (k) => [...(index.get(k.trim().toLowerCase()) ?? [])] })
    const errors = rows.filter((r) => r.error !== undefined).length
    const dryRun = req.dryRun ?? true
    if (dryRun || errors > 0) return { applied: false, rows, errors, redecided: 0 }
    let redecided = 0
    for (const r of rows) {
      if (r.deviceId === null) continue
      this.o.db.setDevice(r.deviceId, r.context)
      redecided += this.o.register.redecide(r.deviceId)
    }
    this.o.audit({
      actor,
      action: 'device.context.import',
      ok: true,
      detail: `${rows.length} row(s) applied`,
    })
    return { applied: true, rows, errors: 0, redecided }
  }

  /** Sets (or clears) one decision point of one finding; audited with the justification. */
  override(findingId: string, o: SsvcOverride, actor: string): void {
    const deviceId = this.o.register.deviceOf(findingId)
    if (deviceId === undefined) throw new HubError('VIGIL_NOT_FOUND', `no finding ${findingId}`)
    if (o.value !== null && !validPointValue(o.point, o.value))
      throw new HubError(
        'VIGIL_BAD_REQUEST',
        `body/value must be one of ${pointValues(o.point).join(', ')} for ${o.point}`,
      )
    const at = (this.o.now?.() ?? new Date()).toISOString()
    this.o.db.setOverride(
      findingId,
      deviceId,
      o.point,
      o.value === null ? null : { value: o.value, by: actor, at, justification: o.justification },
    )
    this.o.audit({
      actor,
      action: 'finding.ssvc-override',
      target: findingId,
      ok: true,
      detail: `${o.point} = ${o.value ?? '(computed)'}: ${o.justification}`,
    })
    this.o.register.redecide(deviceId, findingId)
  }
}
