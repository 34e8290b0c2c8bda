/**
 * Vendors, their keys and their rotations. Every change is audited; rotation statements are verified
 * against the vendor's current keys (the hub follows the same rule as the agents) and kept verbatim.
 */
import { applyRotation, decodeEnvelope, readVendorKey } from '@vigil/protocol/signing'
import type { HubContext } from '../../context.js'
import { type Refusal, refusal } from '../../refusal.js'
import { type RotationRecord, type VendorDb, type VendorRecord, vendorSlug, vendorTrust } from './db.js'
import { createVendorUser, issueVendorToken } from './principal.js'

export interface VendorView {
  id: string
  name: string
  threshold: number
  sequence: number
  createdAt: string
  keys: { keyid: string; addedAt: string; revoked: boolean; revokedAt?: string; source: string }[]
  rotations: { sequence: number; acceptedAt: string; signedBy: string[] }[]
}

export function vendorView(v: VendorRecord): VendorView {
  return {
    id: v.id,
    name: v.name,
    threshold: v.threshold,
    sequence: v.sequence,
    createdAt: v.createdAt,
    keys: v.keys.map((k) => ({
      keyid: k.keyid,
      addedAt: k.addedAt,
      revoked: k.revoked === true,
      ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
      source: k.source,
    })),
    rotations: v.rotations.map((r) => ({
      sequence: r.sequence,
      acceptedAt: r.acceptedAt,
      signedBy: r.signedBy,
    })),
  }
}

export interface VendorServiceOptions {
  hub: Pick<HubContext, 'audit' | 'store'>
  db: VendorDb
  /** Called after a rotation was accepted (the manifests feature delivers it to agents). */
  onRotation?(vendor: VendorRecord, rotation: RotationRecord): void
  now?: () => Date
}

export class VendorService {
  readonly now: () => Date
  constructor(private readonly o: VendorServiceOptions) {
    this.now = o.now ?? (() => new Date())
  }

  get(id: string): VendorRecord | undefined {
    return this.o.db.vendors.get(id)
  }

  list(): VendorRecord[] {
    return this.o.db.vendors.values().sort((a, b) => a.name.localeCompare(b.name))
  }

  async create(
    name: string,
    threshold: number,
    actor: string,
  ): Promise<{ vendor: VendorRecord; token: string } | Refusal> {
    const trimmed = name.trim()
    const id = vendorSlug(trimmed)
    if (this.o.db.vendors.get(id) || this.o.db.byName(trimmed)) {
      this.o.hub.audit({ actor, action: 'vendor.create', target: id, ok: false, detail: 'exists' })
      return refusal('VENDOR_EXISTS', `vendor "${trimmed}" already exists (id ${id})`)
    }
    const now = this.now()
    const userId = createVendorUser(this.o.hub.store, id, now)
    const token = issueVendorToken(this.o.hub.store, userId, now)
    const vendor: VendorRecord = {
      id,
      name: trimmed,
      threshold,
      keys: [],
      rotations: [],
      sequence: 0,
      userId,
      createdAt: now.toISOString(),
    }
    this.o.db.vendors.put(vendor)
    await Promise.all([this.o.db.flush(), this.o.hub.store.commit()])
    this.o.hub.audit({ actor, action: 'vendor.create', target: id, ok: true })
    return { vendor, token }
  }

  async newToken(v: VendorRecord, actor: string): Promise<string> {
    const token = issueVendorToken(this.o.hub.store, v.userId, this.now())
    await this.o.hub.store.commit()
    this.o.hub.audit({ actor, action: 'vendor.token', target: v.id, ok: true })
    return token
  }

  async setThreshold(v: VendorRecord, threshold: number, actor: string): Promise<VendorRecord> {
    const next = { ...v, threshold }
    this.o.db.vendors.put(next)
    await this.o.db.flush()
    this.o.hub.audit({ actor, action: 'vendor.threshold', target: v.id, ok: true, detail: String(threshold) })
    return next
  }

  async addKey(v: VendorRecord, pem: string, actor: string): Promise<{ keyid: string } | Refusal> {
    let key: { keyid: string; publicKeyPem: string }
    try {
      key = readVendorKey(pem)
    } catch (err) {
      this.o.hub.audit({ actor, action: 'vendor.key.add', target: v.id, ok: false, detail: 'BAD_KEY' })
      return refusal('BAD_KEY', `publicKeyPem: ${(err as Error).message}`)
    }
    const existing = v.keys.find((k) => k.keyid === key.keyid)
    if (existing) {
      const why = existing.revoked ? 'was revoked and cannot come back' : 'is already registered'
      this.o.hub.audit({ actor, action: 'vendor.key.add', target: v.id, ok: false, detail: key.keyid })
      return refusal('DUPLICATE_KEY', `key ${key.keyid} ${why}`)
    }
    const next: VendorRecord = {
      ...v,
      keys: [...v.keys, { ...key, addedAt: this.now().toISOString(), source: 'admin' }],
    }
    this.o.db.vendors.put(next)
    await this.o.db.flush()
    this.o.hub.audit({ actor, action: 'vendor.key.add', target: `${v.id}/${key.keyid}`, ok: true })
    return { keyid: key.keyid }
  }

  async revokeKey(v: VendorRecord, keyid: string, actor: string): Promise<VendorRecord | undefined> {
    if (!v.keys.some((k) => k.keyid === keyid)) return undefined
    const at = this.now().toISOString()
    const next: VendorRecord = {
      ...v,
      keys: v.keys.map((k) => (k.keyid === keyid && !k.revoked ? { ...k, revoked: true, revokedAt: at } : k)),
    }
    this.o.db.vendors.put(next)
    await this.o.db.flush()
    this.o.hub.audit({ actor, action: 'vendor.key.revoke', target: `${v.id}/${keyid}`, ok: true })
    return next
  }

  /** Verifies a rotation statement against the current keys; on success replaces them. */
  /** A refused rotation statement, audited with its code and reason. */
  rotationRefused(v: VendorRecord, r: Refusal, actor: string): Refusal {
    this.o.hub.audit({
      actor,
      action: 'vendor.rotate',
      target: v.id,
      ok: false,
      detail: `${r.code}: ${r.message}`,
    })
    return r
  }

  async rotate(v: VendorRecord, envelope: unknown, actor: string): Promise<VendorRecord | Refusal> {
    const r = applyRotation(vendorTrust(v), envelope, { now: () => this.now().getTime() })
    if (!r.ok) return this.rotationRefused(v, refusal(r.code, r.message), actor)
    const decoded = decodeEnvelope(envelope)
    if (!decoded.ok) return refusal(decoded.code, decoded.message)
    const at = this.now().toISOString()
    const known = new Map(v.keys.map((k) => [k.keyid, k]))
    const keys = r.trust.keys.map((k) => {
      const old = known.get(k.keyid)
      if (k.revoked)
        return {
          ...(old ?? { addedAt: at, source: 'rotation' as const }),
          keyid: k.keyid,
          publicKeyPem: k.publicKeyPem,
          revoked: true,
          revokedAt: old?.revokedAt ?? at,
        }
      return old && !old.revoked
        ? old
        : { keyid: k.keyid, publicKeyPem: k.publicKeyPem, addedAt: at, source: 'rotation' as const }
    })
    // Keys revoked by an administrator earlier stay listed (and revoked).
    for (const k of v.keys)
      if (!keys.some((n) => n.keyid === k.keyid))
        keys.push({ ...k, revoked: true, revokedAt: k.revokedAt ?? at })
    const rotation: RotationRecord = {
      sequence: r.trust.sequence,
      acceptedAt: at,
      signedBy: r.signedBy,
      envelope: decoded.envelope,
    }
    const next: VendorRecord = {
      ...v,
      keys,
      threshold: r.trust.threshold,
      sequence: r.trust.sequence,
      rotations: [...v.rotations, rotation],
    }
    this.o.db.vendors.put(next)
    await this.o.db.flush()
    this.o.hub.audit({
      actor,
      action: 'vendor.rotate',
      target: v.id,
      ok: true,
      detail: `sequence ${rotation.sequence}`,
    })
    this.o.onRotation?.(next, rotation)
    return next
  }
}
