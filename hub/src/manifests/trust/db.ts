/**
 * The operator root chain and the vendor delegations the hub holds — only ones that verified, kept as the
 * envelopes the operator signed (the hub hands them on unchanged; it cannot sign them).
 *
 *   collection trust/roots         RootRecord, id = `v<version>` (the whole chain, for devices to follow)
 *   collection trust/delegations   DelegationRecord, id = vendor name (the current one per vendor)
 */
import type { DsseEnvelope } from '@vigil/protocol'
import type { Collection, Store } from '../../store/types.js'

export const TRUST_SCHEMA = 1

export interface RootRecord {
  id: string
  version: number
  fingerprint: string
  envelope: DsseEnvelope
  acceptedAt: string
}

export interface DelegationRecord {
  /** The vendor name (what manifests carry). */
  id: string
  vendorId?: string
  version: number
  digest: string
  envelope: DsseEnvelope
  acceptedAt: string
}

export class TrustDb {
  private constructor(
    private readonly store: Store,
    readonly roots: Collection<RootRecord>,
    readonly delegations: Collection<DelegationRecord>,
  ) {}

  static async open(store: Store): Promise<TrustDb> {
    return new TrustDb(
      store,
      await store.collection<RootRecord>('trust/roots', { schemaVersion: TRUST_SCHEMA }),
      await store.collection<DelegationRecord>('trust/delegations', { schemaVersion: TRUST_SCHEMA }),
    )
  }

  /** The root chain, oldest first. */
  chain(): RootRecord[] {
    return this.roots.values().sort((a, b) => a.version - b.version)
  }

  /** Settles once every change so far is durable. */
  flush(): Promise<void> {
    return this.store.commit()
  }
}
