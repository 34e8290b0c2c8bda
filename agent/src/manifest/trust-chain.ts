/**
 * The operator root and vendor delegations on the device. The agent accepts a root only as the first
 * one (from its enrollment answer, or pinned by fingerprint in its configuration) or as the next one
 * in the chain (signed by the old threshold AND its own); a delegation only when signed by the root
 * threshold and newer than the one held. Whoever delivers them — the hub included — cannot get past
 * that; each refusal is answered with its code and kept (`vigil-agent status`).
 */
import type { ApplyTrustResult, DsseEnvelope, TrustRefusal } from '@vigil/protocol'
import {
  followRootChain,
  type HeldDelegation,
  type HeldRoot,
  readDelegation,
  readRoot,
  type TrustChain,
  verifyDelegation,
  verifyInitialRoot,
} from '@vigil/protocol/signing'
import type { ManifestState } from '../schemas/manifest-state.js'
import { held } from './trust-held.js'

export { held }

const MAX_REFUSED = 20

/** The chain as held in the state (checked when it was accepted; only re-read here). */
export function chainOf(state: ManifestState): TrustChain {
  const r = state.root ? readRoot(state.root.envelope) : undefined
  const root: HeldRoot | undefined = r?.ok
    ? { envelope: r.envelope, payload: r.payload, fingerprint: r.fingerprint }
    : undefined
  const delegations: Record<string, HeldDelegation> = {}
  for (const [vendor, d] of Object.entries(state.delegations ?? {})) {
    const read = readDelegation(d.envelope)
    if (read.ok)
      delegations[vendor] = {
        envelope: read.envelope,
        payload: read.payload,
        digest: read.digest,
        trust: d.trust,
      }
  }
  return root ? { root, delegations } : { delegations }
}

export interface ApplyOptions {
  now: () => Date
  /** Fingerprint pinned in the configuration: the first root must be exactly this one. */
  pin?: string
  /** Whether a first root may be taken without a pin (the enrollment answer; never over MQTT). */
  firstUse: boolean
}

/** What the device holds now, as answered to `apply-trust` and put in its birth. */

/**
 * Applies a root chain and delegations to `state` (in place). Answers what is held afterwards and
 * every statement refused, with its code.
 */
export function applyTrust(
  state: ManifestState,
  bundle: { roots: readonly DsseEnvelope[]; delegations: readonly DsseEnvelope[] },
  o: ApplyOptions,
): { result: ApplyTrustResult; changed: boolean } {
  const now = () => o.now().getTime()
  const at = o.now().toISOString()
  const refused: TrustRefusal[] = []
  let changed = false
  let root = chainOf(state).root
  const roots = [...bundle.roots]
  if (!root && roots.length > 0) {
    // The first root: the pinned one, else (only at enrollment) the first of the chain.
    const pinned = o.pin
      ? roots.findIndex((e) => {
          const r = readRoot(e)
          return r.ok && r.fingerprint === o.pin
        })
      : 0
    if (o.pin && pinned < 0) {
      refused.push({
        kind: 'root',
        code: 'ROOT_SIGNATURE_THRESHOLD',
        reason: `no root with the pinned fingerprint ${o.pin} was offered`,
      })
    } else if (!o.pin && !o.firstUse) {
      refused.push({
        kind: 'root',
        code: 'ROOT_MISSING',
        reason:
          'this device holds no operator root and takes a first one only at enrollment or by the fingerprint pinned in manifests.rootFingerprint: re-provision it',
      })
    } else {
      // Expiry is judged on the root finally in force (TUF): an expired first root that later roots
      // replace is checked for its signatures only, at a clock inside its validity.
      const env = roots[pinned]
      const pinOpt = o.pin ? { fingerprint: o.pin } : {}
      let first = verifyInitialRoot(env, { now, ...pinOpt })
      const read = readRoot(env)
      if (!first.ok && first.code === 'ROOT_EXPIRED' && roots.length > pinned + 1 && read.ok)
        first = verifyInitialRoot(env, { now: () => Date.parse(read.payload.expires) - 1, ...pinOpt })
      if (first.ok) {
        root = first.root
        roots.splice(0, pinned + 1)
        changed = true
      } else refused.push({ kind: 'root', code: first.code, reason: first.message })
    }
  }
  if (root) {
    const r = followRootChain(root, roots, { now })
    if (r.ok) {
      if (r.applied > 0) changed = true
      root = r.root
    } else {
      refused.push({ kind: 'root', code: r.code, reason: r.message })
      // A bad link stops the chain there; the root held stays in force.
    }
  }
  if (root && (changed || state.root?.fingerprint !== root.fingerprint)) {
    state.root = {
      envelope: root.envelope,
      version: root.payload.version,
      fingerprint: root.fingerprint,
      acceptedAt: at,
    }
    changed = true
  }
  for (const envelope of bundle.delegations) {
    const read = readDelegation(envelope)
    if (!read.ok) {
      refused.push({ kind: 'delegation', code: read.code, reason: read.message })
      continue
    }
    const { vendor, version } = read.payload
    if (!state.root) {
      refused.push({
        kind: 'delegation',
        vendor,
        version,
        code: 'ROOT_MISSING',
        reason: 'no operator root is held: a delegation cannot be checked',
      })
      continue
    }
    const current = state.delegations?.[vendor]
    const heldRead = current ? readDelegation(current.envelope) : undefined
    const rootPayload = readRoot(state.root.envelope)
    if (!rootPayload.ok) continue
    const v = verifyDelegation(rootPayload.payload, envelope, {
      now,
      ...(heldRead?.ok ? { held: { payload: heldRead.payload, digest: heldRead.digest } } : {}),
    })
    if (!v.ok) {
      refused.push({ kind: 'delegation', vendor, version, code: v.code, reason: v.message })
      continue
    }
    if (v.unchanged) continue
    state.delegations = {
      ...(state.delegations ?? {}),
      [vendor]: {
        envelope: v.delegation.envelope,
        version,
        digest: v.delegation.digest,
        trust: v.delegation.trust,
        acceptedAt: at,
      },
    }
    changed = true
  }
  if (refused.length > 0) {
    state.trustRefused = [
      ...(state.trustRefused ?? []),
      ...refused.map((r) => ({ ...r, reason: r.reason.slice(0, 2048), at })),
    ].slice(-MAX_REFUSED)
    changed = true
  }
  const h = held(state)
  return {
    result: {
      ...(h.root ? { root: h.root } : {}),
      delegations: h.delegations,
      refused: refused.map((r) => ({ ...r, reason: r.reason.slice(0, 2048) })),
    },
    changed,
  }
}
