/**
 * Where clinical asset context lives (issue 17 point 1), through the store seam:
 *
 *   risk/device-context   { id: deviceId, ...DeviceContext }         the device's own values
 *   risk/model-context    { id: "<vendor>\0<model>", vendor, model, context }  a model's default
 *   risk/ssvc-overrides   { id: findingId, points: { exploitation: {value, by, at, justification}… } }
 *
 * A device's effective value of a field is its own, else its model's default, else unknown (null).
 * Writes change memory at once and are durable at the next `store.commit()` (HTTP answers after it).
 */
import type {
  ContextField,
  ContextSource,
  DeviceContext,
  DeviceContextView,
  ModelContext,
  SsvcPointName,
} from '@vigil/protocol'
import type { Collection, Store } from '../../store/types.js'
import type { OverrideEntry } from './decide.js'

export const CONTEXT_FIELDS: readonly ContextField[] = [
  'clinicalFunction',
  'safetyImpact',
  'missionImpact',
  'ephi',
  'exposure',
  'location',
  'owner',
]

type Stored = { [K in ContextField]?: NonNullable<DeviceContext[K]> }
interface DeviceContextRecord extends Stored {
  id: string
}
interface ModelContextRecord {
  id: string
  vendor: string
  model: string
  context: Stored
}
export interface OverrideRecord {
  id: string
  deviceId: string
  points: Partial<Record<SsvcPointName, OverrideEntry>>
}

export interface DeviceIdentityRef {
  vendor?: string | undefined
  model?: string | undefined
}

const modelKey = (vendor: string, model: string) => `${vendor}\0${model}`

/** Applies a PATCH-style change (absent: unchanged, null: cleared) and returns the stored shape. */
function merge(held: Stored, change: DeviceContext): Stored {
  const out: Stored = { ...held }
  for (const f of CONTEXT_FIELDS) {
    if (!(f in change)) continue
    const v = change[f]
    if (v === null || v === undefined) delete out[f]
    else (out as Record<string, unknown>)[f] = v
  }
  return out
}

export class ContextDb {
  private constructor(
    readonly devices: Collection<DeviceContextRecord>,
    readonly models: Collection<ModelContextRecord>,
    readonly overrides: Collection<OverrideRecord>,
  ) {}

  static async open(store: Store): Promise<ContextDb> {
    const opts = { schemaVersion: 1 }
    return new ContextDb(
      await store.collection<DeviceContextRecord>('risk/device-context', { ...opts, shards: 8 }),
      await store.collection<ModelContextRecord>('risk/model-context', opts),
      await store.collection<OverrideRecord>('risk/ssvc-overrides', { ...opts, shards: 8 }),
    )
  }

  /** The effective context of a device given its identity. */
  view(deviceId: string, identity: DeviceIdentityRef | undefined): DeviceContextView {
    const own = this.devices.get(deviceId)
    const vendor = identity?.vendor ?? null
    const model = identity?.model ?? null
    const def =
      vendor !== null && model !== null ? this.models.get(modelKey(vendor, model))?.context : undefined
    const context = {} as Record<ContextField, unknown>
    const sources: Record<string, ContextSource> = {}
    for (const f of CONTEXT_FIELDS) {
      if (own?.[f] !== undefined) {
        context[f] = own[f]
        sources[f] = 'device'
      } else if (def?.[f] !== undefined) {
        context[f] = def[f]
        sources[f] = 'model'
      } else {
        context[f] = null
        sources[f] = 'unknown'
      }
    }
    return { deviceId, vendor, model, context: context as DeviceContextView['context'], sources }
  }

  setDevice(deviceId: string, change: DeviceContext): void {
    const { id: _id, ...held } = this.devices.get(deviceId) ?? { id: deviceId }
    const next = merge(held, change)
    if (Object.keys(next).length === 0) this.devices.delete(deviceId)
    else this.devices.put({ id: deviceId, ...next })
  }

  forgetDevice(deviceId: string): void {
    this.devices.delete(deviceId)
  }

  setModel(m: ModelContext): void {
    const id = modelKey(m.vendor, m.model)
    const next = merge(this.models.get(id)?.context ?? {}, m.context)
    if (Object.keys(next).length === 0) this.models.delete(id)
    else this.models.put({ id, vendor: m.vendor, model: m.model, context: next })
  }

  modelDefaults(): ModelContext[] {
    return this.models.values().map((m) => ({ vendor: m.vendor, model: m.model, context: { ...m.context } }))
  }

  /** Whether any finding has an override (when none, deciding looks none up). */
  hasOverrides(): boolean {
    return this.overrides.size > 0
  }

  overridesOf(findingId: string): OverrideRecord['points'] | undefined {
    return this.overrides.get(findingId)?.points
  }

  setOverride(findingId: string, deviceId: string, point: SsvcPointName, entry: OverrideEntry | null): void {
    const held = this.overrides.get(findingId)
    const points = { ...(held?.points ?? {}) }
    if (entry === null) delete points[point]
    else points[point] = entry
    if (Object.keys(points).length === 0) this.overrides.delete(findingId)
    else this.overrides.put({ id: findingId, deviceId, points })
  }
}
