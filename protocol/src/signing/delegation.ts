/**
 * Delegations (TUF targets delegation): the operator root, by its threshold, vouches for a vendor's keys
 * and threshold, lists revoked keyids, and may carry the vendor's own rotation statements (applied in
 * order, each signed by the vendor's keys then in force; the revocations apply to the result). A delegation is refused when the root did not
 * sign it (DELEGATION_UNSIGNED), when it was altered after signing (DELEGATION_ALTERED), when fewer root
 * keys than the threshold signed it (DELEGATION_THRESHOLD), when it is expired, or when it is not newer
 * than the one held (DELEGATION_REPLAY) — whoever delivers it, the hub included.
 */
import { createHash } from 'node:crypto'
import { DELEGATION_PAYLOAD_TYPE } from '../constants.js'
import type { VendorTrust } from '../messages/key-rotation.js'
import type { DsseEnvelope } from '../messages/manifest.js'
import type { DelegationPayload, RootPayload } from '../messages/trust-root.js'
import { validators } from '../wire/validators.js'
import { decodeBase64Strict } from './base64.js'
import {
  decodeEnvelope,
  type EnvelopeInput,
  type PrivateKeyInput,
  signEnvelope,
  verifyEnvelope,
} from './envelope.js'
import { fail, type SigningFailure } from './errors.js'
import { DEFAULT_SKEW_MS } from './manifest.js'
import { checkKeySet } from './root.js'
import { applyRotation } from './rotation.js'
import { parseStrictJson } from './strict-json.js'

/** A delegation this party verified: its envelope (handed on unchanged), payload, digest, and the trust it gives. */
export interface HeldDelegation {
  envelope: DsseEnvelope
  payload: DelegationPayload
  /** Lowercase hex SHA-256 of the signed payload bytes. */
  digest: string
  /** The vendor trust this delegation yields (keys minus revoked, rotations applied). */
  trust: VendorTrust
}

export interface DelegationOptions {
  now?: () => number
  skewMs?: number
  /** The delegation held for the same vendor, if any: an older or different same-version one is a replay. */
  held?: Pick<HeldDelegation, 'payload' | 'digest'>
}

export type DelegationResult = { ok: true; delegation: HeldDelegation; unchanged: boolean } | SigningFailure

const delegationValidator = validators.delegationPayload

/** Decodes and schema-checks a delegation envelope WITHOUT checking its signatures. */
export function readDelegation(
  input: EnvelopeInput,
): { ok: true; envelope: DsseEnvelope; payload: DelegationPayload; digest: string } | SigningFailure {
  const decoded = decodeEnvelope(input)
  if (!decoded.ok) return decoded
  const { envelope } = decoded
  if (envelope.payloadType !== DELEGATION_PAYLOAD_TYPE)
    return fail('WRONG_PAYLOAD_TYPE', `payloadType ${envelope.payloadType} is not ${DELEGATION_PAYLOAD_TYPE}`)
  const bytes = decodeBase64Strict(envelope.payload)
  if (bytes === undefined) return fail('MALFORMED_ENVELOPE', 'payload is not valid base64')
  const parsed = parseStrictJson(bytes)
  if (!parsed.ok) return fail('MALFORMED_PAYLOAD', `delegation payload: ${parsed.message}`)
  if (!delegationValidator.check(parsed.value)) {
    const errors = delegationValidator.errors(parsed.value, 20)
    return fail('SCHEMA', `delegation payload: ${errors.join('; ')}`, errors)
  }
  const payload = parsed.value
  for (const [field, value] of [
    ['issuedAt', payload.issuedAt],
    ['expires', payload.expires],
  ] as const)
    if (Number.isNaN(Date.parse(value)))
      return fail('SCHEMA', `delegation payload /${field}: ${value} is not a usable time`)
  return { ok: true, envelope, payload, digest: createHash('sha256').update(bytes).digest('hex') }
}

/** The root's signature check, its failure named for a delegation. */
function rootSignatures(
  envelope: DsseEnvelope,
  root: RootPayload,
  vendor: string,
): SigningFailure | undefined {
  const opts = { trustedKeys: root.keys, payloadType: DELEGATION_PAYLOAD_TYPE }
  const full = verifyEnvelope(envelope, { ...opts, threshold: root.threshold })
  if (full.ok) return undefined
  const who = `delegation of "${vendor}"`
  if (full.code === 'BAD_SIGNATURE')
    return fail(
      'DELEGATION_ALTERED',
      `${who}: a root key's signature does not verify — it was altered after signing: ${full.message}`,
      full.problems,
    )
  const some = verifyEnvelope(envelope, { ...opts, threshold: 1 })
  if (some.ok)
    return fail(
      'DELEGATION_THRESHOLD',
      `${who}: signed by ${some.keyids.length} root key(s), the root requires ${root.threshold}: ${full.message}`,
      full.problems,
    )
  return fail(
    'DELEGATION_UNSIGNED',
    `${who}: not signed by the operator root: ${full.message}`,
    full.problems,
  )
}

/**
 * The vendor trust a delegation yields: its keys minus the revoked ones, then the vendor's rotation
 * statements in order (each verified against the keys then in force); revoked keyids stay revoked even
 * when a rotation names them again.
 */
export function trustFromDelegation(
  payload: DelegationPayload,
  options: { now?: () => number } = {},
): { ok: true; trust: VendorTrust } | SigningFailure {
  const what = `delegation of "${payload.vendor}" v${payload.version}`
  const revoked = new Set(payload.revoked)
  if (payload.keys.length > 0) {
    const bad = checkKeySet(payload.keys, payload.threshold, what)
    if (bad) return bad
  }
  let trust: VendorTrust = {
    vendor: payload.vendor,
    keys: payload.keys.map((k) => ({ keyid: k.keyid, publicKeyPem: k.publicKeyPem })),
    threshold: payload.threshold,
    sequence: 0,
  }
  // The rotations were signed before any revocation listed here: they are checked against the keys as
  // delegated, and the revocations apply to the result (a revoked key stays revoked, rotated in or not).
  for (const [i, rotation] of (payload.rotations ?? []).entries()) {
    const r = applyRotation(trust, rotation, { now: options.now })
    if (!r.ok) return fail(r.code, `${what}, rotation #${i}: ${r.message}`, r.problems)
    trust = r.trust
  }
  trust = {
    ...trust,
    keys: trust.keys.map((k) =>
      revoked.has(k.keyid) ? { keyid: k.keyid, publicKeyPem: k.publicKeyPem, revoked: true } : k,
    ),
  }
  return { ok: true, trust }
}

/** Verifies a delegation against the root in force (and the one held for the vendor). Never throws. */
export function verifyDelegation(
  root: RootPayload,
  input: EnvelopeInput,
  options: DelegationOptions = {},
): DelegationResult {
  const r = readDelegation(input)
  if (!r.ok) {
    // An envelope whose payload no longer parses was altered (or was never a delegation).
    return r
  }
  const { payload } = r
  const unsigned = rootSignatures(r.envelope, root, payload.vendor)
  if (unsigned) return unsigned
  const now = (options.now ?? Date.now)()
  if (Date.parse(root.expires) <= now)
    return fail('ROOT_EXPIRED', `root v${root.version} expired at ${root.expires}: no delegation is trusted`)
  if (Date.parse(payload.expires) <= now)
    return fail(
      'DELEGATION_EXPIRED',
      `delegation of "${payload.vendor}" v${payload.version} expired at ${payload.expires}: the operator must sign a new one`,
    )
  if (Date.parse(payload.issuedAt) > now + (options.skewMs ?? DEFAULT_SKEW_MS))
    return fail('RELEASED_IN_FUTURE', `delegation issuedAt ${payload.issuedAt} is in the future`)
  const held = options.held
  let unchanged = false
  if (held) {
    if (held.payload.vendor !== payload.vendor)
      return fail('VENDOR_MISMATCH', `delegation is for "${payload.vendor}", not "${held.payload.vendor}"`)
    if (
      payload.version < held.payload.version ||
      (payload.version === held.payload.version && r.digest !== held.digest)
    )
      return fail(
        'DELEGATION_REPLAY',
        `delegation of "${payload.vendor}" v${payload.version} is not newer than the one held (v${held.payload.version}): replay refused`,
      )
    unchanged = payload.version === held.payload.version
  }
  const trust = trustFromDelegation(payload, { now: options.now })
  if (!trust.ok) return trust
  return {
    ok: true,
    unchanged,
    delegation: { envelope: r.envelope, payload, digest: r.digest, trust: trust.trust },
  }
}

/** Signs a delegation payload with root keys (schema-checked first: throws a TypeError). */
export function signDelegation(payload: DelegationPayload, keys: readonly PrivateKeyInput[]): DsseEnvelope {
  if (!delegationValidator.check(payload))
    throw new TypeError(`invalid delegation: ${delegationValidator.errors(payload, 100).join('; ')}`)
  return signEnvelope(payload, DELEGATION_PAYLOAD_TYPE, keys)
}
