/**
 * What the hub knows about vendors: their signing keys (with revocations), the threshold it requires,
 * and every rotation statement they signed (kept verbatim, delivered to agents unchanged).
 *
 *   <dataDir>/vendors/vendors.json   VendorRecord
 */
import type { DsseEnvelope, VendorTrust } from '@vigil/protocol'
import type { Collection, Store } from '../../store/types.js'

export const VENDORS_SCHEMA = 1

export interface VendorKeyRecord {
  keyid: string
  publicKeyPem: string
  addedAt: string
  revoked?: boolean
  revokedAt?: string
  /** 'admin' (registered by an administrator) or 'rotation' (from a signed rotation statement). */
  source: 'admin' | 'rotation'
}

export interface RotationRecord {
  sequence: number
  acceptedAt: string
  signedBy: string[]
  envelope: DsseEnvelope
}

export interface VendorRecord {
  /** Slug of the name; the `vendor` a manifest names must be this vendor's name. */
  id: string
  name: string
  threshold: number
  keys: VendorKeyRecord[]
  rotations: RotationRecord[]
  /** Sequence of the last accepted rotation (0: as registered). */
  sequence: number
  /** The vendor principal (role vendor) in the hub's user store. */
  userId: string
  createdAt: string
}

export class VendorDb {
  private constructor(
    private readonly store: Store,
    readonly vendors: Collection<VendorRecord>,
  ) {}

  static async open(store: Store): Promise<VendorDb> {
    return new VendorDb(
      store,
      await store.collection<VendorRecord>('vendors/vendors', { schemaVersion: VENDORS_SCHEMA }),
    )
  }

  /** Settles once every change so far is durable. */
  flush(): Promise<void> {
    return this.store.commit()
  }

  byName(name: string): VendorRecord | undefined {
    return this.vendors.values().find((v) => v.name === name)
  }
}

/** The trust an agent (or the hub) applies to one vendor's manifests. */
export function vendorTrust(v: VendorRecord): VendorTrust {
  return {
    vendor: v.name,
    keys: v.keys.map((k) => ({
      keyid: k.keyid,
      publicKeyPem: k.publicKeyPem,
      ...(k.revoked ? { revoked: true } : {}),
    })),
    threshold: v.threshold,
    sequence: v.sequence,
  }
}

/** `Acme Medical, Inc.` → `acme-medical-inc` */
export function vendorSlug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'vendor'
  )
}
