/**
 * DSSE envelopes: sign with Ed25519 over the PAE, verify with a threshold of distinct, trusted,
 * non-revoked keys. Verification never throws; it answers a result with a stable code.
 */
import { constants, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { canonicalJson } from '../canonical.js'
import type { DsseEnvelope } from '../messages/manifest.js'
import { validators } from '../wire/validators.js'
import { decodeBase64Strict, encodeBase64 } from './base64.js'
import { fail, SigningError, type SigningFailure } from './errors.js'
import {
  keyIdFromKey,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  type SignatureScheme,
  schemeFor,
} from './keys.js'
import { pae } from './pae.js'

/** Default ceiling for a whole envelope (JSON text); a manifest is a few KiB. */
export const MAX_ENVELOPE_BYTES = 256 * 1024

export interface TrustedKey {
  /** Must equal `keyIdFromPem(publicKeyPem)`; a mismatch is a trust configuration error (BAD_TRUST). */
  keyid: string
  publicKeyPem: string
  revoked?: boolean
}

export interface VerifyEnvelopeOptions {
  trustedKeys: readonly TrustedKey[]
  /** How many distinct trusted, non-revoked keys must have signed (integer ≥ 1). */
  threshold: number
  /** When given, any other payloadType is refused with WRONG_PAYLOAD_TYPE. */
  payloadType?: string
  /** Size limit of the envelope as JSON text, default MAX_ENVELOPE_BYTES. */
  maxBytes?: number
  /** Accepted signature schemes, default `['ed25519']`. Others exist only to check foreign DSSE data. */
  schemes?: readonly SignatureScheme[]
}

export type VerifyEnvelopeResult =
  | { ok: true; envelope: DsseEnvelope; payloadType: string; payload: Uint8Array; keyids: string[] }
  | SigningFailure

export type EnvelopeInput = DsseEnvelope | string | Uint8Array | unknown

const envelopeValidator = validators.dsseEnvelope
const utf8 = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

/** Size check, JSON parse (for text/bytes) and shape check of an envelope. */
export function decodeEnvelope(
  input: EnvelopeInput,
  maxBytes = MAX_ENVELOPE_BYTES,
): { ok: true; envelope: DsseEnvelope } | SigningFailure {
  let value: unknown = input
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength
    if (size > maxBytes) return fail('OVERSIZE', `envelope of ${size} bytes exceeds the limit of ${maxBytes}`)
    try {
      value = JSON.parse(typeof input === 'string' ? input : utf8.decode(input))
    } catch (err) {
      return fail('MALFORMED_ENVELOPE', `envelope is not valid JSON: ${(err as Error).message}`)
    }
  } else {
    let size: number
    try {
      size = Buffer.byteLength(JSON.stringify(input) ?? '')
    } catch {
      return fail('MALFORMED_ENVELOPE', 'envelope is not JSON data')
    }
    if (size > maxBytes) return fail('OVERSIZE', `envelope of ${size} bytes exceeds the limit of ${maxBytes}`)
  }
  const checked = envelopeValidator.validate(value)
  if (!checked.ok) return fail('MALFORMED_ENVELOPE', `not a DSSE envelope: ${checked.message}`)
  return { ok: true, envelope: checked.value }
}

interface Entry {
  keyid: string
  key: KeyObject
  scheme: SignatureScheme
  revoked: boolean
}

interface ParsedKey {
  key: KeyObject
  keyid: string
}

// Trusted keys are the same few PEMs on every call: parse each once (KeyObjects are immutable).
const KEY_CACHE_SIZE = 256
const keyCache = new Map<string, ParsedKey>()

function parseCached(pem: string): ParsedKey {
  const hit = keyCache.get(pem)
  if (hit) return hit
  const key = parsePublicKeyPem(pem)
  const parsed = { key, keyid: keyIdFromKey(key) }
  if (keyCache.size >= KEY_CACHE_SIZE) {
    const oldest = keyCache.keys().next()
    if (!oldest.done) keyCache.delete(oldest.value)
  }
  keyCache.set(pem, parsed)
  return parsed
}

function trustEntries(
  keys: readonly TrustedKey[],
  schemes: readonly SignatureScheme[],
): Map<string, Entry> | SigningFailure {
  const entries = new Map<string, Entry>()
  for (const [i, t] of keys.entries()) {
    let parsed: ParsedKey
    try {
      parsed = parseCached(t.publicKeyPem)
    } catch (err) {
      return fail('BAD_TRUST', `trusted key #${i}: ${(err as Error).message}`)
    }
    const { key, keyid } = parsed
    if (t.keyid !== keyid)
      return fail('BAD_TRUST', `trusted key #${i}: keyid ${t.keyid} is not its key's id ${keyid}`)
    const scheme = schemeFor(key, schemes)
    if (scheme === undefined) {
      return fail('BAD_TRUST', `trusted key ${keyid}: ${key.asymmetricKeyType} keys are not accepted here`)
    }
    // The same key listed twice is one key; revoked anywhere means revoked.
    const revoked = (entries.get(keyid)?.revoked ?? false) || t.revoked === true
    entries.set(keyid, { keyid, key, scheme, revoked })
  }
  return entries
}

/**
 * The signature primitive under verifyEnvelope: does `sig` verify `data` under `key` with `scheme`?
 * Never throws (a malformed signature is simply false).
 */
export function verifySignature(
  key: KeyObject,
  scheme: SignatureScheme,
  data: Uint8Array,
  sig: Uint8Array,
): boolean {
  try {
    switch (scheme) {
      case 'ed25519':
        return cryptoVerify(null, data, key, sig)
      case 'ecdsa-sha256':
        return cryptoVerify('sha256', data, key, sig)
      case 'ecdsa-sha384':
        return cryptoVerify('sha384', data, key, sig)
      case 'rsa-pss-sha256':
        return cryptoVerify(
          'sha256',
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
          sig,
        )
    }
  } catch {
    return false
  }
}

const verifyWith = (entry: Entry, data: Uint8Array, sig: Uint8Array) =>
  verifySignature(entry.key, entry.scheme, data, sig)

const short = (keyid: string) => `${keyid.slice(0, 16)}…`

/** Verifies a DSSE envelope against a threshold of distinct trusted keys. Never throws. */
export function verifyEnvelope(input: EnvelopeInput, options: VerifyEnvelopeOptions): VerifyEnvelopeResult {
  const { threshold } = options
  if (!Number.isInteger(threshold) || threshold < 1) {
    return fail('BAD_TRUST', `threshold must be an integer ≥ 1, got ${String(threshold)}`)
  }
  const decoded = decodeEnvelope(input, options.maxBytes)
  if (!decoded.ok) return decoded
  const { envelope } = decoded
  if (options.payloadType !== undefined && envelope.payloadType !== options.payloadType) {
    return fail('WRONG_PAYLOAD_TYPE', `payloadType ${envelope.payloadType} is not ${options.payloadType}`)
  }
  const payload = decodeBase64Strict(envelope.payload)
  if (payload === undefined) return fail('MALFORMED_ENVELOPE', 'payload is not valid base64')
  const entries = trustEntries(options.trustedKeys, options.schemes ?? ['ed25519'])
  if (!(entries instanceof Map)) return entries

  const data = pae(envelope.payloadType, payload)
  const valid = new Set<string>()
  const problems: string[] = []
  let bad = 0
  let revoked = 0
  let unknown = 0
  for (const [i, s] of envelope.signatures.entries()) {
    const sig = decodeBase64Strict(s.sig)
    if (sig === undefined) return fail('MALFORMED_ENVELOPE', `signatures/${i}/sig is not valid base64`)
    const hinted = s.keyid ? entries.get(s.keyid) : undefined
    // The keyid is an unauthenticated hint: try the hinted key first, then every other one.
    const candidates = hinted
      ? [hinted, ...[...entries.values()].filter((e) => e !== hinted)]
      : [...entries.values()]
    const signer = candidates.find((e) => verifyWith(e, data, sig))
    if (signer === undefined) {
      if (hinted?.revoked) {
        revoked++
        problems.push(`signature #${i}: key ${short(hinted.keyid)} is revoked`)
      } else if (hinted) {
        bad++
        problems.push(`signature #${i}: does not verify with key ${short(hinted.keyid)} (payload altered?)`)
      } else if (s.keyid) {
        unknown++
        problems.push(`signature #${i}: key ${short(s.keyid)} is not trusted`)
      } else {
        bad++
        problems.push(`signature #${i}: verifies with no trusted key`)
      }
    } else if (signer.revoked) {
      revoked++
      problems.push(`signature #${i}: key ${short(signer.keyid)} is revoked`)
    } else if (valid.has(signer.keyid)) {
      problems.push(`signature #${i}: key ${short(signer.keyid)} already counted once`)
    } else {
      valid.add(signer.keyid)
    }
  }
  if (valid.size >= threshold) {
    return { ok: true, envelope, payloadType: envelope.payloadType, payload, keyids: [...valid] }
  }
  const summary = `${valid.size} of ${threshold} required valid signatures by distinct trusted keys`
  const detail = problems.length > 0 ? `${summary}: ${problems.join('; ')}` : summary
  if (bad > 0) return fail('BAD_SIGNATURE', detail, problems)
  if (revoked > 0) return fail('REVOKED_KEY', detail, problems)
  if (unknown > 0) return fail('UNKNOWN_KEY', detail, problems)
  return fail('THRESHOLD_NOT_MET', detail, problems)
}

export type PrivateKeyInput = string | KeyObject

/**
 * Signs `payload` (bytes, or a value serialised as canonical JSON) with each distinct Ed25519 key.
 * Throws `SigningError('BAD_KEY')` for an unreadable or non-Ed25519 key.
 */
export function signEnvelope(
  payload: Uint8Array | object,
  payloadType: string,
  keys: readonly PrivateKeyInput[],
): DsseEnvelope {
  if (keys.length === 0) throw new SigningError('BAD_KEY', 'at least one private key is needed')
  const body = payload instanceof Uint8Array ? payload : encoder.encode(canonicalJson(payload))
  const data = pae(payloadType, body)
  const signatures: DsseEnvelope['signatures'] = []
  const seen = new Set<string>()
  for (const k of keys) {
    const key = typeof k === 'string' ? parsePrivateKeyPem(k) : k
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
      throw new SigningError('BAD_KEY', 'signing needs an Ed25519 private key')
    }
    const keyid = keyIdFromKey(key)
    if (seen.has(keyid)) continue
    seen.add(keyid)
    signatures.push({ keyid, sig: encodeBase64(cryptoSign(null, data, key)) })
  }
  return { payloadType, payload: encodeBase64(body), signatures }
}
