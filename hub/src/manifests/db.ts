/**
 * Accepted manifests (with the envelope exactly as the vendor signed it) and the rollout state of each
 * targeted device.
 *
 *   <dataDir>/manifests/manifests.json      ManifestRecord
 *   <dataDir>/manifests/targets/<n>.json    TargetRecord (one per manifest × device)
 */
import { join } from 'node:path'
import type { DsseEnvelope, ManifestPayload, RolloutState } from '@vigil/protocol'
import { ShardedCollection } from '../store/collection.js'

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
  readonly manifests: ShardedCollection<ManifestRecord>
  readonly targets: ShardedCollection<TargetRecord>
  #flushing: Promise<void> = Promise.resolve()

  constructor(dataDir: string) {
    const dir = join(dataDir, 'manifests')
    this.manifests = new ShardedCollection<ManifestRecord>(dir, 'manifests', 1, MANIFESTS_SCHEMA)
    this.targets = new ShardedCollection<TargetRecord>(dir, 'targets', 16, MANIFESTS_SCHEMA)
  }

  async load(): Promise<void> {
    await this.manifests.load()
    await this.targets.load()
  }

  flush(): Promise<void> {
    this.#flushing = this.#flushing
      .catch(() => {})
      .then(async () => {
        if (this.manifests.isDirty) await this.manifests.flush()
        if (this.targets.isDirty) await this.targets.flush()
      })
    return this.#flushing
  }

  targetsOf(manifestId: string): TargetRecord[] {
    return this.targets.values().filter((t) => t.manifestId === manifestId)
  }
}
