import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DelegationPayload, KeyRotationPayload, RootPayload } from '../../src/index.ts'
import {
  type HeldDelegation,
  type KeyPair,
  signDelegation as signDelegationPem,
  signKeyRotation,
  signManifest,
  signRoot,
  type TrustChain,
  verifyDelegation,
  verifyInitialRoot,
  verifyManifestWithChain,
} from '../../src/signing/index.ts'
import { delegationPayload, EXPIRES, ISSUED, key, root, rootPayload, vendorKeys } from './chain-fixtures.ts'
import { keys, manifest, now } from './fixtures.ts'

const pems = (pairs: KeyPair[]) => pairs.map((k) => k.privateKeyPem)
const signDelegation = (p: DelegationPayload, pairs: KeyPair[]) => signDelegationPem(p, pems(pairs))
const code = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code)
const { r1, r2, r3 } = root
const { v1, v2 } = vendorKeys
const ROOT: RootPayload = rootPayload([r1, r2, r3], 2)

function held(p: DelegationPayload, signers: KeyPair[] = [r1, r2]): HeldDelegation {
  const r = verifyDelegation(ROOT, signDelegation(p, signers), { now })
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
  return r.delegation
}

describe('verifyDelegation', () => {
  it('accepts a delegation signed by 2 of the 3 root keys and yields the vendor trust', () => {
    const r = verifyDelegation(ROOT, signDelegation(delegationPayload(), [r2, r3]), { now })
    expect(code(r)).toBe('ok')
    if (r.ok)
      expect(r.delegation.trust).toEqual({
        vendor: 'acme-medical',
        keys: [key(v1)],
        threshold: 1,
        sequence: 0,
      })
  })
  it('refuses one signed by a single root key (DELEGATION_THRESHOLD)', () => {
    const r = verifyDelegation(ROOT, signDelegation(delegationPayload(), [r1]), { now })
    expect(code(r)).toBe('DELEGATION_THRESHOLD')
    expect(r.ok ? '' : r.message).toMatch(/signed by 1 root key\(s\), the root requires 2/)
  })
  it('refuses one signed by keys that are not the root (DELEGATION_UNSIGNED)', () => {
    expect(code(verifyDelegation(ROOT, signDelegation(delegationPayload(), [v1, v2]), { now }))).toBe(
      'DELEGATION_UNSIGNED',
    )
  })
  it('refuses one altered after signing (DELEGATION_ALTERED), e.g. a key swapped by the hub', () => {
    const env = signDelegation(delegationPayload(), [r1, r2])
    const altered = Buffer.from(JSON.stringify({ ...delegationPayload(), keys: [key(keys.a)] })).toString(
      'base64',
    )
    expect(code(verifyDelegation(ROOT, { ...env, payload: altered }, { now }))).toBe('DELEGATION_ALTERED')
  })
  it('refuses a replay of an older version and a different same-version one; the same one is unchanged', () => {
    const h2 = held(delegationPayload({ version: 2 }))
    const old = signDelegation(delegationPayload({ version: 1 }), [r1, r2])
    expect(code(verifyDelegation(ROOT, old, { now, held: h2 }))).toBe('DELEGATION_REPLAY')
    const other2 = signDelegation(delegationPayload({ version: 2, threshold: 1, keys: [key(v2)] }), [r1, r2])
    expect(code(verifyDelegation(ROOT, other2, { now, held: h2 }))).toBe('DELEGATION_REPLAY')
    const same = verifyDelegation(ROOT, h2.envelope, { now, held: h2 })
    expect(same.ok && same.unchanged).toBe(true)
    const v3 = verifyDelegation(ROOT, signDelegation(delegationPayload({ version: 3 }), [r1, r3]), {
      now,
      held: h2,
    })
    expect(v3.ok && !v3.unchanged).toBe(true)
  })
  it('refuses an expired delegation, and any delegation under an expired root', () => {
    const late = signDelegation(delegationPayload({ expires: '2026-11-28T11:00:00.000Z' }), [r1, r2])
    expect(code(verifyDelegation(ROOT, late, { now }))).toBe('DELEGATION_EXPIRED')
    const oldRoot = { ...ROOT, expires: '2026-11-28T11:00:00.000Z' }
    expect(code(verifyDelegation(oldRoot, signDelegation(delegationPayload(), [r1, r2]), { now }))).toBe(
      'ROOT_EXPIRED',
    )
  })
  it('applies the vendor rotation statements it carries; a revoked key stays revoked', () => {
    const rotation: KeyRotationPayload = {
      vendor: 'acme-medical',
      keys: [key(v1), key(v2)],
      threshold: 1,
      issuedAt: ISSUED,
      sequence: 1,
    }
    const rot = signKeyRotation(rotation, [v1.privateKeyPem])
    const h = held(delegationPayload({ rotations: [rot] }))
    expect(h.trust.sequence).toBe(1)
    expect(
      h.trust.keys
        .filter((k) => !k.revoked)
        .map((k) => k.keyid)
        .sort(),
    ).toEqual([v1.keyid, v2.keyid].sort())
    const revoking = held(delegationPayload({ version: 2, rotations: [rot], revoked: [v1.keyid] }))
    expect(revoking.trust.keys.find((k) => k.keyid === v1.keyid)?.revoked).toBe(true)
    const forged = signKeyRotation({ ...rotation, keys: [key(v2)] }, [v2.privateKeyPem])
    const r = verifyDelegation(ROOT, signDelegation(delegationPayload({ rotations: [forged] }), [r1, r2]), {
      now,
    })
    expect(code(r)).toBe('UNKNOWN_KEY')
    expect(r.ok ? '' : r.message).toMatch(/rotation #0/)
  })
  it('property: accepted iff at least 2 distinct root keys signed; otherwise a DELEGATION_ code', () => {
    fc.assert(
      fc.property(fc.subarray([r1, r2, r3, v1, v2], { minLength: 1 }), (signers) => {
        const r = verifyDelegation(ROOT, signDelegation(delegationPayload(), signers), { now })
        const valid = signers.filter((s) => [r1, r2, r3].includes(s)).length
        expect(code(r)).toBe(valid >= 2 ? 'ok' : valid === 1 ? 'DELEGATION_THRESHOLD' : 'DELEGATION_UNSIGNED')
      }),
      { numRuns: 40 },
    )
  })
  it('property: a version is accepted iff it is newer than the one held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), (have, got) => {
        const h = held(delegationPayload({ version: have }))
        const env = signDelegation(delegationPayload({ version: got, threshold: 1, keys: [key(v2)] }), [
          r1,
          r2,
        ])
        expect(code(verifyDelegation(ROOT, env, { now, held: h }))).toBe(
          got > have ? 'ok' : 'DELEGATION_REPLAY',
        )
      }),
      { numRuns: 30 },
    )
  })
})

describe('verifyManifestWithChain', () => {
  const initial = verifyInitialRoot(signRoot(ROOT, pems([r1, r3])), { now })
  if (!initial.ok) throw new Error(initial.message)
  const chain = (d?: HeldDelegation): TrustChain => ({
    root: initial.root,
    delegations: d ? { 'acme-medical': d } : {},
  })
  const m = manifest()

  it('accepts a manifest signed by the delegated key', () => {
    expect(
      code(
        verifyManifestWithChain(signManifest(m, [v1.privateKeyPem]), chain(held(delegationPayload())), {
          now,
        }),
      ),
    ).toBe('ok')
  })
  it('without a delegation or provisioned key: UNKNOWN_KEY naming the fix', () => {
    const r = verifyManifestWithChain(signManifest(m, [v1.privateKeyPem]), chain(), { now })
    expect(code(r)).toBe('UNKNOWN_KEY')
    expect(r.ok ? '' : r.message).toMatch(/vigil-hub trust delegate --vendor "acme-medical"/)
  })
  it('keeps keys provisioned in configuration working for vendors without a delegation', () => {
    const provisioned = [{ vendor: 'acme-medical', keys: [key(v2)], threshold: 1, sequence: 0 }]
    expect(
      code(verifyManifestWithChain(signManifest(m, [v2.privateKeyPem]), chain(), { now, provisioned })),
    ).toBe('ok')
  })
  it('a delegation takes precedence over configuration: its revocation stops the revoked key', () => {
    const provisioned = [{ vendor: 'acme-medical', keys: [key(v1)], threshold: 1, sequence: 0 }]
    const revoked = held(delegationPayload({ version: 2, keys: [key(v2)], revoked: [v1.keyid] }))
    const r = verifyManifestWithChain(signManifest(m, [v1.privateKeyPem]), chain(revoked), {
      now,
      provisioned,
    })
    expect(code(r)).toBe('REVOKED_KEY')
    expect(code(verifyManifestWithChain(signManifest(m, [v2.privateKeyPem]), chain(revoked), { now }))).toBe(
      'ok',
    )
  })
  it('refuses every manifest once the root or the delegation expired', () => {
    const env = signManifest(m, [v1.privateKeyPem])
    const at = () => Date.parse(EXPIRES)
    expect(code(verifyManifestWithChain(env, chain(held(delegationPayload())), { now: at }))).toBe(
      'ROOT_EXPIRED',
    )
  })
})
