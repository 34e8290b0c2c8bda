/**
 * The operator root of trust (TUF root.json semantics): a set of Ed25519 keys and a threshold. The first
 * root is self-signed by its own threshold and pinned by its fingerprint; every later root is exactly
 * one version higher and signed by the threshold of the PREVIOUS root AND by its own threshold, so a
 * holder of the hub (or of fewer than threshold root keys) can never replace it. The root in force must
 * not be expired. Verification never throws; it answers a result with a stable code.
 */
import { createHash } from 'node:crypto'
import { ROOT_PAYLOAD_TYPE } from '../constants.js'
import type { DsseEnvelope } from '../messages/manifest.js'
import type { RootPayload, TrustKey } from '../messages/trust-root.js'
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
import { keyIdFromKey, parseEd25519PublicKeyPem, publicKeyPem } from './keys.js'
import { DEFAULT_SKEW_MS } from './manifest.js'
import { parseStrictJson } from './strict-json.js'

/** A root this party verified, kept with its envelope (to hand on unchanged) and fingerprint. */
export interface HeldRoot {
  envelope: DsseEnvelope
  payload: RootPayload
  /** `rootFingerprint` of the signed payload bytes. */
  fingerprint: string
}

export interface RootOptions {
  now?: () => number
  skewMs?: number
}

export type RootResult = { ok: true; root: HeldRoot } | SigningFailure

const rootValidator = validators.rootPayload

/** Lowercase hex SHA-256 of a root's signed payload bytes — what `trust init` prints and agents show. */
export function rootFingerprint(payloadBytes: Uint8Array): string {
  return createHash('sha256').update(payloadBytes).digest('hex')
}

/** Every key Ed25519, carrying its own keyid, distinct, and at least `threshold` of them. */
export function checkKeySet(
  keys: readonly TrustKey[],
  threshold: number,
  what: string,
): SigningFailure | undefined {
  const seen = new Set<string>()
  for (const [i, k] of keys.entries()) {
    let keyid: string
    try {
      keyid = keyIdFromKey(parseEd25519PublicKeyPem(k.publicKeyPem))
    } catch (err) {
      return fail('BAD_KEY', `${what} /keys/${i}: ${(err as Error).message}`)
    }
    if (keyid !== k.keyid)
      return fail('BAD_KEY', `${what} /keys/${i}: keyid ${k.keyid} is not the key's id ${keyid}`)
    if (seen.has(keyid)) return fail('BAD_TRUST', `${what}: key ${keyid.slice(0, 16)}… is listed twice`)
    seen.add(keyid)
  }
  if (seen.size < threshold)
    return fail('BAD_TRUST', `${what}: threshold ${threshold} needs at least as many keys, got ${seen.size}`)
  return undefined
}

/** Decodes, type-checks and schema-checks a root envelope WITHOUT checking its signatures. */
export function readRoot(
  input: EnvelopeInput,
): { ok: true; envelope: DsseEnvelope; payload: RootPayload; fingerprint: string } | SigningFailure {
  const decoded = decodeEnvelope(input)
  if (!decoded.ok) return decoded
  const { envelope } = decoded
  if (envelope.payloadType !== ROOT_PAYLOAD_TYPE)
    return fail('WRONG_PAYLOAD_TYPE', `payloadType ${envelope.payloadType} is not ${ROOT_PAYLOAD_TYPE}`)
  const bytes = decodeBase64Strict(envelope.payload)
  if (bytes === undefined) return fail('MALFORMED_ENVELOPE', 'payload is not valid base64')
  const parsed = parseStrictJson(bytes)
  if (!parsed.ok) return fail('MALFORMED_PAYLOAD', `root payload: ${parsed.message}`)
  if (!rootValidator.check(parsed.value)) {
    const errors = rootValidator.errors(parsed.value, 20)
    return fail('SCHEMA', `root payload: ${errors.join('; ')}`, errors)
  }
  const payload = parsed.value
  const bad = checkKeySet(payload.keys, payload.threshold, `root v${payload.version}`)
  if (bad) return bad
  for (const [field, value] of [
    ['issuedAt', payload.issuedAt],
    ['expires', payload.expires],
  ] as const)
    if (Number.isNaN(Date.parse(value)))
      return fail('SCHEMA', `root payload /${field}: ${value} is not a usable time`)
  return { ok: true, envelope, payload, fingerprint: rootFingerprint(bytes) }
}

/** Signatures of `envelope` by `threshold` distinct keys of `keys`, as a ROOT_SIGNATURE_THRESHOLD refusal. */
function thresholdOf(
  envelope: DsseEnvelope,
  keys: readonly TrustKey[],
  threshold: number,
  who: string,
): SigningFailure | undefined {
  const v = verifyEnvelope(envelope, { trustedKeys: keys, threshold, payloadType: ROOT_PAYLOAD_TYPE })
  if (v.ok) return undefined
  return fail('ROOT_SIGNATURE_THRESHOLD', `not signed by the threshold of ${who}: ${v.message}`, v.problems)
}

function expiry(payload: RootPayload, now: number): SigningFailure | undefined {
  if (Date.parse(payload.expires) > now) return undefined
  return fail(
    'ROOT_EXPIRED',
    `root v${payload.version} expired at ${payload.expires} (now ${new Date(now).toISOString()}): the operator signs a new root (version + 1)`,
  )
}

/**
 * The first root a party trusts (trust on first use, e.g. in the enrollment answer): self-signed by its
 * own threshold, not expired, and — when `fingerprint` is given (pinned out of band) — exactly that root.
 */
export function verifyInitialRoot(
  input: EnvelopeInput,
  options: RootOptions & { fingerprint?: string } = {},
): RootResult {
  const r = readRoot(input)
  if (!r.ok) return r
  if (options.fingerprint !== undefined && options.fingerprint !== r.fingerprint)
    return fail(
      'ROOT_SIGNATURE_THRESHOLD',
      `root fingerprint ${r.fingerprint} is not the pinned ${options.fingerprint}`,
    )
  const bad = thresholdOf(
    r.envelope,
    r.payload.keys,
    r.payload.threshold,
    `its own keys (root v${r.payload.version})`,
  )
  if (bad) return bad
  const now = (options.now ?? Date.now)()
  if (Date.parse(r.payload.issuedAt) > now + (options.skewMs ?? DEFAULT_SKEW_MS))
    return fail('RELEASED_IN_FUTURE', `root issuedAt ${r.payload.issuedAt} is in the future`)
  const expired = expiry(r.payload, now)
  if (expired) return expired
  return { ok: true, root: { envelope: r.envelope, payload: r.payload, fingerprint: r.fingerprint } }
}

/**
 * One step of root rotation: `input` must be version current+1, signed by the threshold of the current
 * root's keys and by its own threshold. Expiry is the caller's (see `followRootChain`): TUF checks only
 * the root finally in force.
 */
export function nextRoot(current: HeldRoot, input: EnvelopeInput): RootResult {
  const r = readRoot(input)
  if (!r.ok) return r
  const have = current.payload.version
  const got = r.payload.version
  if (got <= have)
    return fail(
      'ROOT_REPLAY',
      got === have && r.fingerprint === current.fingerprint
        ? `root v${got} is the one already held`
        : `root v${got} is not newer than the root held (v${have}): replay refused`,
    )
  if (got !== have + 1)
    return fail('ROOT_MISSING', `root v${got} skips v${have + 1}: the roots in between are needed, in order`)
  const old = thresholdOf(
    r.envelope,
    current.payload.keys,
    current.payload.threshold,
    `the previous root (v${have})`,
  )
  if (old) return old
  const own = thresholdOf(r.envelope, r.payload.keys, r.payload.threshold, `its own keys (root v${got})`)
  if (own) return own
  return { ok: true, root: { envelope: r.envelope, payload: r.payload, fingerprint: r.fingerprint } }
}

export type FollowRootResult = { ok: true; root: HeldRoot; applied: number } | SigningFailure

/**
 * Follows a chain of roots from `current` (TUF 5.3): versions not newer than the held one are skipped
 * when they are the held one and refused (ROOT_REPLAY) otherwise; each newer one must be the next
 * version, signed by the old and new thresholds. The root finally in force must not be expired.
 */
export function followRootChain(
  current: HeldRoot,
  inputs: readonly EnvelopeInput[],
  options: RootOptions = {},
): FollowRootResult {
  let root = current
  let applied = 0
  for (const input of inputs) {
    const r = readRoot(input)
    if (!r.ok) return r
    if (r.payload.version <= root.payload.version) {
      if (r.payload.version === root.payload.version && r.fingerprint === root.fingerprint) continue
      if (r.payload.version < root.payload.version) continue // an ancestor: already followed
      return fail('ROOT_REPLAY', `root v${r.payload.version} differs from the one held: refused`)
    }
    const next = nextRoot(root, input)
    if (!next.ok) return next
    root = next.root
    applied++
  }
  const expired = expiry(root.payload, (options.now ?? Date.now)())
  if (expired) return expired
  return { ok: true, root, applied }
}

/** Is the root in force still valid at `now`? (ROOT_EXPIRED otherwise.) */
export function checkRootCurrent(root: HeldRoot, now: number): SigningFailure | undefined {
  return expiry(root.payload, now)
}

/** Signs a root payload (schema-checked first: throws a TypeError). For a rotation, pass old AND new keys. */
export function signRoot(payload: RootPayload, keys: readonly PrivateKeyInput[]): DsseEnvelope {
  if (!rootValidator.check(payload))
    throw new TypeError(`invalid root: ${rootValidator.errors(payload, 100).join('; ')}`)
  return signEnvelope(payload, ROOT_PAYLOAD_TYPE, keys)
}

/** A root payload's key entry for a PEM public key (canonical PEM, keyid computed). */
export function trustKeyOf(pem: string): TrustKey {
  const key = parseEd25519PublicKeyPem(pem)
  return { keyid: keyIdFromKey(key), publicKeyPem: publicKeyPem(key) }
}
