/**
 * Key rotation: a vendor replaces its key set with a statement signed by the threshold of its CURRENT
 * keys. An agent changes whom it trusts only through `applyRotation`, so a hub alone can never make
 * it trust a new key.
 */
import { KEY_ROTATION_PAYLOAD_TYPE } from '../constants.js'
import type { KeyRotationPayload, VendorKey, VendorTrust } from '../messages/key-rotation.js'
import type { DsseEnvelope } from '../messages/manifest.js'
import { validators } from '../wire/validators.js'
import { type EnvelopeInput, type PrivateKeyInput, signEnvelope, verifyEnvelope } from './envelope.js'
import { fail, type SigningFailure } from './errors.js'
import { keyIdFromKey, parseEd25519PublicKeyPem, publicKeyPem } from './keys.js'
import { DEFAULT_SKEW_MS } from './manifest.js'
import { parseStrictJson } from './strict-json.js'

const MAX_TRUST_KEYS = 64
const rotationValidator = validators.keyRotationPayload

export interface ApplyRotationOptions {
  now?: () => number
  skewMs?: number
  maxBytes?: number
}

export type ApplyRotationResult = { ok: true; trust: VendorTrust; signedBy: string[] } | SigningFailure

/** The new key set, each key checked to be Ed25519 and to carry its own keyid. */
function newKeys(payload: KeyRotationPayload): VendorKey[] | SigningFailure {
  const out = new Map<string, VendorKey>()
  for (const [i, k] of payload.keys.entries()) {
    let keyid: string
    let pem: string
    try {
      const key = parseEd25519PublicKeyPem(k.publicKeyPem)
      keyid = keyIdFromKey(key)
      pem = publicKeyPem(key)
    } catch (err) {
      return fail('BAD_KEY', `/keys/${i}: ${(err as Error).message}`)
    }
    if (keyid !== k.keyid) return fail('BAD_KEY', `/keys/${i}: keyid ${k.keyid} is not the key's id ${keyid}`)
    out.set(keyid, { keyid, publicKeyPem: pem })
  }
  return [...out.values()]
}

/** Verifies a rotation statement against `current` and answers the trust that replaces it. */
export function applyRotation(
  current: VendorTrust,
  input: EnvelopeInput,
  options: ApplyRotationOptions = {},
): ApplyRotationResult {
  const verified = verifyEnvelope(input, {
    trustedKeys: current.keys,
    threshold: current.threshold,
    payloadType: KEY_ROTATION_PAYLOAD_TYPE,
    maxBytes: options.maxBytes,
  })
  if (!verified.ok) return verified
  const parsed = parseStrictJson(verified.payload)
  if (!parsed.ok) return fail('MALFORMED_PAYLOAD', `rotation payload: ${parsed.message}`)
  const { value } = parsed
  if (!rotationValidator.check(value)) {
    const errors = rotationValidator.errors(value, 20)
    return fail('SCHEMA', `rotation payload: ${errors.join('; ')}`, errors)
  }
  const payload = value
  if (payload.vendor !== current.vendor) {
    return fail('VENDOR_MISMATCH', `rotation is for vendor "${payload.vendor}", not "${current.vendor}"`)
  }
  if (payload.sequence <= current.sequence) {
    return fail('STALE_ROTATION', `rotation sequence ${payload.sequence} is not after ${current.sequence}`)
  }
  const now = (options.now ?? Date.now)()
  const skew = options.skewMs ?? DEFAULT_SKEW_MS
  if (!(Date.parse(payload.issuedAt) <= now + skew)) {
    return fail('RELEASED_IN_FUTURE', `issuedAt ${payload.issuedAt} is in the future`)
  }
  const keys = newKeys(payload)
  if (!Array.isArray(keys)) return keys
  if (keys.length < payload.threshold) {
    return fail(
      'BAD_TRUST',
      `threshold ${payload.threshold} needs at least as many distinct keys, got ${keys.length}`,
    )
  }
  // Keys rotated away stay listed as revoked, so their signatures are named as such (newest kept first).
  const kept = new Set(keys.map((k) => k.keyid))
  const retired = current.keys
    .filter((k) => !kept.has(k.keyid))
    .map((k) => ({ keyid: k.keyid, publicKeyPem: k.publicKeyPem, revoked: true }))
  const trust: VendorTrust = {
    vendor: current.vendor,
    keys: [...keys, ...retired].slice(0, MAX_TRUST_KEYS),
    threshold: payload.threshold,
    sequence: payload.sequence,
  }
  return { ok: true, trust, signedBy: verified.keyids }
}

/** Signs a rotation statement with the vendor's current keys (throws a TypeError on schema errors). */
export function signKeyRotation(payload: KeyRotationPayload, keys: readonly PrivateKeyInput[]): DsseEnvelope {
  if (!rotationValidator.check(payload)) {
    throw new TypeError(`invalid rotation: ${rotationValidator.errors(payload, 100).join('; ')}`)
  }
  return signEnvelope(payload, KEY_ROTATION_PAYLOAD_TYPE, keys)
}
