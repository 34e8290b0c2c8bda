/**
 * The hub's side of the operator root: it stores what verifies and hands it on, and it builds the
 * unsigned delegation of a vendor's current keys for the root key holders to sign. It never holds a
 * root private key, so it can neither sign a root nor a delegation; it checks each statement with the
 * same code as the agents (`@vigil/protocol/signing`) so an operator learns at once what devices would
 * refuse.
 */
import type { DelegationPayload, TrustBundle, TrustDelegationInfo, TrustView } from '@vigil/protocol'
import { canonicalJson } from '@vigil/protocol'
import {
  checkRootCurrent,
  type EnvelopeInput,
  type HeldRoot,
  nextRoot,
  readDelegation,
  readRoot,
  verifyDelegation,
  verifyInitialRoot,
} from '@vigil/protocol/signing'
import { type Refusal, refusal } from '../../refusal.js'
import type { VendorRecord } from '../vendors/db.js'
import type { DelegationRecord, RootRecord, TrustDb } from './db.js'

/** How long a delegation built by the hub for signing is valid (a year). */
export const DELEGATION_LIFETIME_MS = 365 * 24 * 3600 * 1000

export interface TrustServiceOptions {
  db: TrustDb
  vendors: () => readonly VendorRecord[]
  now?: () => Date
  audit?(entry: { actor: string; action: string; target: string; ok: boolean; detail?: string }): void
}

export class TrustService {
  private readonly now: () => Date
  constructor(private readonly o: TrustServiceOptions) {
    this.now = o.now ?? (() => new Date())
  }

  /** The root in force (the newest of the chain), as verified when it was accepted. */
  /** The version of the root in force, from the stored record (nothing decoded). */
  rootVersion(): number | undefined {
    return this.o.db.chain().at(-1)?.version
  }

  root(): HeldRoot | undefined {
    const last = this.o.db.chain().at(-1)
    if (!last) return undefined
    const r = readRoot(last.envelope)
    return r.ok ? { envelope: r.envelope, payload: r.payload, fingerprint: r.fingerprint } : undefined
  }

  vendorByName(name: string): VendorRecord | undefined {
    return this.o.vendors().find((v) => v.name === name || v.id === name)
  }

  delegationRecords(): DelegationRecord[] {
    return this.o.db.delegations.values()
  }

  delegation(vendor: string): DelegationRecord | undefined {
    return this.o.db.delegations.get(vendor)
  }

  /** Accepts the first root (self-signed by its threshold) or the next one (old AND new threshold). */
  async installRoot(
    envelope: EnvelopeInput,
    actor: string,
  ): Promise<{ ok: true; record: RootRecord; unchanged: boolean } | Refusal> {
    const current = this.root()
    const now = () => this.now().getTime()
    const same = current ? readRoot(envelope) : undefined
    if (current && same?.ok && same.fingerprint === current.fingerprint) {
      const record = this.o.db.roots.get(`v${current.payload.version}`)
      if (record) return { ok: true, record, unchanged: true }
    }
    // One step at a time, as posted: an older root is a replay here (agents skip their ancestors).
    const stepped = current ? nextRoot(current, envelope) : verifyInitialRoot(envelope, { now })
    const expired = stepped.ok && current ? checkRootCurrent(stepped.root, now()) : undefined
    const r = expired ?? stepped
    if (!r.ok) {
      this.o.audit?.({
        actor,
        action: 'trust.root',
        target: 'root',
        ok: false,
        detail: `${r.code}: ${r.message}`,
      })
      return refusal(r.code, r.message)
    }
    const unchanged = current !== undefined && r.root.payload.version === current.payload.version
    const record: RootRecord = {
      id: `v${r.root.payload.version}`,
      version: r.root.payload.version,
      fingerprint: r.root.fingerprint,
      envelope: r.root.envelope,
      acceptedAt: this.o.db.roots.get(`v${r.root.payload.version}`)?.acceptedAt ?? this.now().toISOString(),
    }
    if (!unchanged) {
      this.o.db.roots.put(record)
      await this.o.db.flush()
      this.o.audit?.({ actor, action: 'trust.root', target: record.id, ok: true, detail: record.fingerprint })
    }
    return { ok: true, record, unchanged }
  }

  /** Accepts a delegation signed by the root threshold, newer than the one held, for a known vendor. */
  async publishDelegation(
    envelope: EnvelopeInput,
    actor: string,
  ): Promise<{ ok: true; record: DelegationRecord; unchanged: boolean } | Refusal> {
    const root = this.root()
    if (!root) return refusal('ROOT_MISSING', 'no operator root yet: run `vigil-hub trust init` first')
    const read = readDelegation(envelope)
    if (!read.ok) return refusal(read.code, read.message)
    const vendor = this.o.vendors().find((v) => v.name === read.payload.vendor)
    if (!vendor)
      return refusal('VENDOR_MISMATCH', `no vendor named "${read.payload.vendor}" is registered on this hub`)
    const held = this.o.db.delegations.get(vendor.name)
    const heldRead = held ? readDelegation(held.envelope) : undefined
    const r = verifyDelegation(root.payload, envelope, {
      now: () => this.now().getTime(),
      ...(heldRead?.ok ? { held: { payload: heldRead.payload, digest: heldRead.digest } } : {}),
    })
    if (!r.ok) {
      this.o.audit?.({
        actor,
        action: 'trust.delegate',
        target: vendor.id,
        ok: false,
        detail: `${r.code}: ${r.message}`,
      })
      return refusal(r.code, r.message)
    }
    const record: DelegationRecord = {
      id: vendor.name,
      vendorId: vendor.id,
      version: r.delegation.payload.version,
      digest: r.delegation.digest,
      envelope: r.delegation.envelope,
      acceptedAt: r.unchanged && held ? held.acceptedAt : this.now().toISOString(),
    }
    if (!r.unchanged) {
      this.o.db.delegations.put(record)
      await this.o.db.flush()
      this.o.audit?.({
        actor,
        action: 'trust.delegate',
        target: vendor.id,
        ok: true,
        detail: `v${record.version}`,
      })
    }
    return { ok: true, record, unchanged: r.unchanged }
  }

  /** What devices receive: the whole root chain and every current delegation. */
  bundle(): TrustBundle {
    const chain = this.o.db.chain()
    const last = chain.at(-1)
    return {
      roots: chain.map((r) => r.envelope),
      ...(last ? { fingerprint: last.fingerprint } : {}),
      delegations: this.o.db.delegations.values().map((d) => d.envelope),
    }
  }

  /** The unsigned delegation of the vendor's current registered keys (next version). */
  pending(vendor: VendorRecord): { payload: DelegationPayload; upToDate: boolean; held?: number } {
    const held = this.o.db.delegations.get(vendor.name)
    const heldPayload = held ? readDelegation(held.envelope) : undefined
    const previous = heldPayload?.ok ? heldPayload.payload : undefined
    const active = vendor.keys.filter((k) => !k.revoked)
    const current = new Set(active.map((k) => k.keyid))
    // Revoked on the hub, or delegated before and no longer registered: revoked for devices too.
    const revoked = new Set([
      ...vendor.keys.filter((k) => k.revoked).map((k) => k.keyid),
      ...(previous?.keys ?? []).map((k) => k.keyid).filter((id) => !current.has(id)),
      ...(previous?.revoked ?? []),
    ])
    const now = this.now()
    const payload: DelegationPayload = {
      type: 'vigil-delegation',
      vendor: vendor.name,
      vendorId: vendor.id,
      version: (previous?.version ?? 0) + 1,
      keys: active.map((k) => ({ keyid: k.keyid, publicKeyPem: k.publicKeyPem })),
      threshold: vendor.threshold,
      revoked: [...revoked].filter((id) => !current.has(id)).sort(),
      issuedAt: now.toISOString(),
      expires: new Date(now.getTime() + DELEGATION_LIFETIME_MS).toISOString(),
    }
    const upToDate =
      previous !== undefined &&
      previous.threshold === payload.threshold &&
      sameSet(
        previous.keys.map((k) => k.keyid).filter((id) => !previous.revoked.includes(id)),
        [...current],
      ) &&
      payload.revoked.every((id) => previous.revoked.includes(id))
    return { payload, upToDate, ...(held ? { held: held.version } : {}) }
  }

  /** Whether the vendor's current keys are delegated (for the dashboard and the rollout check). */
  isCurrent(vendor: VendorRecord): boolean {
    return this.pending(vendor).upToDate
  }

  view(): TrustView {
    const root = this.root()
    const delegations: TrustDelegationInfo[] = []
    for (const d of this.o.db.delegations.values()) {
      const r = readDelegation(d.envelope)
      if (!r.ok) continue
      const vendor = this.o.vendors().find((v) => v.name === d.id)
      delegations.push({
        vendor: d.id,
        ...(d.vendorId ? { vendorId: d.vendorId } : {}),
        version: d.version,
        threshold: r.payload.threshold,
        keyids: r.payload.keys.map((k) => k.keyid).filter((id) => !r.payload.revoked.includes(id)),
        revoked: r.payload.revoked,
        expires: r.payload.expires,
        acceptedAt: d.acceptedAt,
        current: vendor ? this.isCurrent(vendor) : false,
      })
    }
    return {
      ...(root
        ? {
            root: {
              version: root.payload.version,
              fingerprint: root.fingerprint,
              threshold: root.payload.threshold,
              keyids: root.payload.keys.map((k) => k.keyid),
              expires: root.payload.expires,
            },
          }
        : {}),
      delegations: delegations.sort((a, b) => a.vendor.localeCompare(b.vendor)),
    }
  }

  /** The exact bytes the root key holders sign for a payload. */
  static payloadText(payload: DelegationPayload): string {
    return canonicalJson(payload)
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a)
  return sa.size === new Set(b).size && b.every((x) => sa.has(x))
}
