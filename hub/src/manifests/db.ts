/**
 * Accepted manifests (with the envelope exactly as the vendor signed it) and the rollout state of each
 * targeted device.
 *
 *   <dataDir>/manifests/manifests.json      ManifestRecord
 *   <dataDir>/manifests/targets/<n>.json    TargetRecord (one per manifest × device)
 */
import type { DsseEnvelope, ManifestPayload, RolloutState } from '@vigil/protocol'
import type { Collection, Store } from '../store/types.js'

export const MANIFESTS_SCHEMA = 1

export interface Wave {
  /** 'canary': the listed devices; 'percent': this share of the fleet (cumulative); 'all'. */
  kind: 'canary' | 'percent' | 'all'
  percent?: number
  devices: string[]
  startedAt?: string
}

export interface RolloutPlan {
  /** cancelled: no further deliveries; a new rollout may be approved. */
  status: 'active' | 'paused' | 'completed' | 'cancelled'
  approvedBy: string
  approvedAt: string
  /** Index of the last wave started. */
  wave: number
  waves: Wave[]
  /** Start the next wave by itself once every device of the current one installed (or awaits install). */
  autoAdvance: boolean
  updatedAt: string
}

export interface ManifestRecord {
  /** `manifestId(payload)` */
  id: string
  digest: string
  vendorId: string
  payload: ManifestPayload
  /** The envelope unchanged: this is what agents receive. */
  envelope: DsseEnvelope
  keyids: string[]
  acceptedAt: string
  acceptedBy: string
  rollout?: RolloutPlan
  /** The hub's own artifact check at push time (absent on manifests stored before it existed). */
  artifactCheck?: 'verified' | 'unverified'
}

export type TargetState = 'pending' | RolloutState

export interface TargetRecord {
  /** `<manifestId>:<deviceId>` */
  id: string
  manifestId: string
  deviceId: string
  wave: number
  state: TargetState
  reason?: string
  code?: string
  updatedAt: string
  offeredAt?: string
  /** Times the hub sent the manifest. */
  deliveries: number
}

export function targetId(manifestId: string, deviceId: string): string {
  return `${manifestId}:${deviceId}`
}

export class ManifestDb {
  private constructor(
    private readonly store: Store,
    readonly manifests: Collection<ManifestRecord>,
    readonly targets: Collection<TargetRecord>,
  ) {}

  static async open(store: Store): Promise<ManifestDb> {
    const opts = { schemaVersion: MANIFESTS_SCHEMA }
    return new ManifestDb(
      store,
      await store.collection<ManifestRecord>('manifests/manifests', opts),
      await store.collection<TargetRecord>('manifests/targets', { ...opts, shards: 16 }),
    )
  }

  /** Settles once every change so far is durable. */
  flush(): Promise<void> {
    return this.store.commit()
  }

  targetsOf(manifestId: string): TargetRecord[] {
    return this.targets.values().filter((t) => t.manifestId === manifestId)
  }
}
