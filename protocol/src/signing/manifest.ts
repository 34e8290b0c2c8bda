/**
 * Patch manifests: a ManifestPayload in a DSSE envelope of MANIFEST_PAYLOAD_TYPE. `verifyManifest` is
 * what the hub (on push) and every agent (on delivery) run: signatures first, then JSON, schema,
 * vendor, expiry and release time. Rollback (version order) is the caller's: it knows the history.
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '../canonical.js'
import { MANIFEST_PAYLOAD_TYPE } from '../constants.js'
import type { DsseEnvelope, ManifestPayload } from '../messages/manifest.js'
import { validators } from '../wire/validators.js'
import {
  type EnvelopeInput,
  type PrivateKeyInput,
  signEnvelope,
  type TrustedKey,
  verifyEnvelope,
} from './envelope.js'
import { fail, type SigningFailure } from './errors.js'
import { parseStrictJson } from './strict-json.js'

/** Clock skew tolerated for `releasedAt` (a vendor's clock may run a little ahead). */
export const DEFAULT_SKEW_MS = 5 * 60 * 1000

export interface VerifyManifestOptions {
  trustedKeys: readonly TrustedKey[]
  threshold: number
  /** When given, a payload naming another vendor is refused with VENDOR_MISMATCH. */
  vendor?: string
  /** Injectable clock, default `Date.now`. */
  now?: () => number
  skewMs?: number
  maxBytes?: number
}

export type VerifyManifestResult =
  | {
      ok: true
      envelope: DsseEnvelope
      payload: ManifestPayload
      keyids: string[]
      /** `manifestId(payload)` */
      id: string
      /** `manifestDigest(payload)` */
      digest: string
    }
  | SigningFailure

export const manifestValidator = validators.manifestPayload

/** Lowercase hex SHA-256 of the canonical JSON of the payload: same content, same digest. */
export function manifestDigest(payload: ManifestPayload): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex')
}

/** Stable id of a manifest's content: the first 32 hex characters of its digest. */
export function manifestId(payload: ManifestPayload): string {
  return manifestDigest(payload).slice(0, 32)
}

/** Every schema problem of a manifest payload, each naming its field (empty when valid). */
export function manifestErrors(value: unknown, limit = 100): string[] {
  return manifestValidator.errors(value, limit)
}

/** Parses and schema-checks signed payload bytes. */
export function parseManifestPayload(
  bytes: Uint8Array,
): { ok: true; payload: ManifestPayload } | SigningFailure {
  const parsed = parseStrictJson(bytes)
  if (!parsed.ok) return fail('MALFORMED_PAYLOAD', `manifest payload: ${parsed.message}`)
  const { value } = parsed
  if (manifestValidator.check(value)) return { ok: true, payload: value }
  const errors = manifestErrors(value, 20)
  return fail('SCHEMA', `manifest payload: ${errors.join('; ')}`, errors)
}

export function verifyManifest(input: EnvelopeInput, options: VerifyManifestOptions): VerifyManifestResult {
  const verified = verifyEnvelope(input, {
    trustedKeys: options.trustedKeys,
    threshold: options.threshold,
    payloadType: MANIFEST_PAYLOAD_TYPE,
    maxBytes: options.maxBytes,
  })
  if (!verified.ok) return verified
  const parsed = parseManifestPayload(verified.payload)
  if (!parsed.ok) return parsed
  const { payload } = parsed
  if (options.vendor !== undefined && payload.vendor !== options.vendor) {
    return fail('VENDOR_MISMATCH', `manifest is for vendor "${payload.vendor}", not "${options.vendor}"`)
  }
  const now = (options.now ?? Date.now)()
  const skew = options.skewMs ?? DEFAULT_SKEW_MS
  const expires = Date.parse(payload.expiresAt)
  const released = Date.parse(payload.releasedAt)
  // e.g. a leap second "…T23:59:60Z" passes the format but is no instant we can compare: fail closed.
  if (Number.isNaN(expires)) return fail('SCHEMA', `/expiresAt: ${payload.expiresAt} is not a usable time`)
  if (Number.isNaN(released)) return fail('SCHEMA', `/releasedAt: ${payload.releasedAt} is not a usable time`)
  if (!(expires > now)) {
    return fail('EXPIRED', `manifest expired at ${payload.expiresAt} (now ${new Date(now).toISOString()})`)
  }
  if (!(released <= now + skew)) {
    return fail(
      'RELEASED_IN_FUTURE',
      `releasedAt ${payload.releasedAt} is in the future (now ${new Date(now).toISOString()}, skew ${skew} ms)`,
    )
  }
  if (!(released < expires)) {
    return fail('SCHEMA', `/expiresAt: must be after releasedAt (${payload.releasedAt})`)
  }
  return {
    ok: true,
    envelope: verified.envelope,
    payload,
    keyids: verified.keyids,
    id: manifestId(payload),
    digest: manifestDigest(payload),
  }
}

/** Signs a manifest payload (validated first: throws a TypeError listing every schema error). */
export function signManifest(payload: ManifestPayload, keys: readonly PrivateKeyInput[]): DsseEnvelope {
  const errors = manifestErrors(payload)
  if (errors.length > 0) throw new TypeError(`invalid manifest: ${errors.join('; ')}`)
  return signEnvelope(payload, MANIFEST_PAYLOAD_TYPE, keys)
}
