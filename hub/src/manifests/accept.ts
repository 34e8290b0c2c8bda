/**
 * Every check a pushed manifest must pass, in order: envelope size and shape, payloadType, signatures
 * by the threshold of the vendor's non-revoked keys, JSON and schema, vendor = the token's vendor,
 * expiry, release time, a usable version range, then version history (rollback, replay, mix-and-match).
 */
import { compareVersions, isVersionScheme, parseRange, type VersionScheme } from '@vigil/protocol'
import { verifyManifest } from '@vigil/protocol/signing'
import { type Refusal, refusal } from '../refusal.js'
import type { ManifestRecord } from './db.js'
import type { VendorRecord } from './vendors/db.js'
import { vendorTrust } from './vendors/db.js'

export interface AcceptInput {
  /** The request body as received (bytes, so size and JSON are judged by the signing code). */
  body: Uint8Array | string | unknown
  vendor: VendorRecord
  /** Manifests already accepted for this vendor. */
  history: readonly ManifestRecord[]
  now: number
}

export type Accepted = Omit<ManifestRecord, 'acceptedAt' | 'acceptedBy' | 'rollout'>

export function schemeOf(scheme: string | undefined): VersionScheme | undefined {
  const s = scheme ?? 'generic'
  return isVersionScheme(s) ? s : undefined
}

/** -1/0/1, or undefined when the versions cannot be compared in this scheme. */
function compare(scheme: VersionScheme, a: string, b: string): number | undefined {
  try {
    return compareVersions(scheme, a, b)
  } catch {
    return undefined
  }
}

export function checkManifest(input: AcceptInput): { ok: true; manifest: Accepted } | Refusal {
  const { vendor } = input
  const trust = vendorTrust(vendor)
  if (!trust.keys.some((k) => !k.revoked)) {
    return refusal('NO_VENDOR_KEYS', `vendor "${vendor.name}" has no registered, unrevoked key`)
  }
  const v = verifyManifest(input.body, {
    trustedKeys: trust.keys,
    threshold: trust.threshold,
    vendor: vendor.name,
    now: () => input.now,
  })
  if (!v.ok) return refusal(v.code, v.message)
  const { payload } = v
  const scheme = schemeOf(payload.versionScheme)
  if (!scheme) return refusal('SCHEMA', `/versionScheme: unknown version scheme "${payload.versionScheme}"`)
  if (compare(scheme, payload.version, payload.version) === undefined) {
    return refusal('SCHEMA', `/version: "${payload.version}" is not a valid ${scheme} version`)
  }
  const range = parseRange(payload.appliesTo.versions, scheme)
  if (!range.ok) return refusal('SCHEMA', `/appliesTo/versions: ${range.reason}`)

  const same = input.history.filter((m) => m.payload.product === payload.product)
  for (const m of same) {
    if (compare(scheme, m.payload.version, payload.version) !== 0) continue
    if (m.digest !== v.digest) {
      return refusal(
        'MIX_AND_MATCH',
        `${payload.product} ${payload.version} was already accepted with other content (manifest ${m.id})`,
      )
    }
    return refusal(
      'ROLLBACK',
      `${payload.product} ${payload.version} was already accepted (replay of ${m.id})`,
    )
  }
  for (const m of same) {
    const c = compare(scheme, payload.version, m.payload.version)
    if (c === undefined || c < 0) {
      return refusal(
        'ROLLBACK',
        `${payload.product} ${payload.version} is not newer than the accepted ${m.payload.version} (rollback)`,
      )
    }
  }
  return {
    ok: true,
    manifest: {
      id: v.id,
      digest: v.digest,
      vendorId: vendor.id,
      payload,
      envelope: v.envelope,
      keyids: v.keyids,
    },
  }
}
