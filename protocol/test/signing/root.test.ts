import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RootPayload } from '../../src/index.ts'
import type { KeyPair } from '../../src/signing/index.ts'
import {
  followRootChain,
  type HeldRoot,
  nextRoot,
  signRoot as signRootPem,
  verifyInitialRoot,
} from '../../src/signing/index.ts'
import { EXPIRES, next, root, rootPayload } from './chain-fixtures.ts'
import { NOW, now } from './fixtures.ts'

const signRoot = (p: RootPayload, pairs: KeyPair[]) =>
  signRootPem(
    p,
    pairs.map((k) => k.privateKeyPem),
  )
const code = (r: { ok: boolean; code?: string; message?: string }) => (r.ok ? 'ok' : r.code)
const { r1, r2, r3 } = root
const { n1, n2, n3 } = next
const v1 = signRoot(rootPayload([r1, r2, r3], 2), [r1, r2])

function held(): HeldRoot {
  const r = verifyInitialRoot(v1, { now })
  if (!r.ok) throw new Error(r.message)
  return r.root
}

describe('initial root', () => {
  it('is accepted when self-signed by its threshold, with a stable fingerprint', () => {
    const a = verifyInitialRoot(v1, { now })
    const b = verifyInitialRoot(JSON.stringify(v1), { now })
    expect(a.ok && b.ok && a.root.fingerprint === b.root.fingerprint).toBe(true)
  })
  it('is refused below its own threshold, expired, or not the pinned one', () => {
    expect(code(verifyInitialRoot(signRoot(rootPayload([r1, r2, r3], 2), [r1]), { now }))).toBe(
      'ROOT_SIGNATURE_THRESHOLD',
    )
    const expired = signRoot(rootPayload([r1, r2, r3], 2, { expires: '2026-11-28T11:00:00.000Z' }), [r1, r2])
    const e = verifyInitialRoot(expired, { now })
    expect(code(e)).toBe('ROOT_EXPIRED')
    expect(e.ok ? '' : e.message).toMatch(/expired at 2026-11-28T11:00:00.000Z/)
    expect(code(verifyInitialRoot(v1, { now, fingerprint: 'f'.repeat(64) }))).toBe('ROOT_SIGNATURE_THRESHOLD')
  })
  it('refuses a threshold larger than its key set', () => {
    expect(code(verifyInitialRoot(signRoot(rootPayload([r1], 2), [r1]), { now }))).toBe('BAD_TRUST')
  })
})

describe('root rotation (TUF: old threshold AND new threshold)', () => {
  const v2 = (signers: KeyPair[]) => signRoot(rootPayload([n1, n2, n3], 2, { version: 2 }), signers)
  it('follows a root signed by 2 old and 2 new keys', () => {
    const r = followRootChain(held(), [v2([r1, r3, n1, n2])], { now })
    expect(r.ok && r.root.payload.version === 2 && r.applied === 1).toBe(true)
  })
  it('refuses one signed by the new keys only, or by the old ones only', () => {
    expect(code(nextRoot(held(), v2([n1, n2, n3])))).toBe('ROOT_SIGNATURE_THRESHOLD')
    expect(code(nextRoot(held(), v2([r1, r2, r3])))).toBe('ROOT_SIGNATURE_THRESHOLD')
    expect(code(nextRoot(held(), v2([r1, n1, n2])))).toBe('ROOT_SIGNATURE_THRESHOLD')
  })
  it('refuses a replay of an older root and a version gap', () => {
    const two = followRootChain(held(), [v2([r1, r2, n1, n2])], { now })
    if (!two.ok) throw new Error(two.message)
    const other1 = signRoot(rootPayload([r1, r2], 1), [r1, r2])
    expect(code(nextRoot(two.root, v1))).toBe('ROOT_REPLAY')
    expect(code(nextRoot(two.root, other1))).toBe('ROOT_REPLAY')
    const v3 = signRoot(rootPayload([r1, r2, r3], 2, { version: 3 }), [r1, r2])
    expect(code(nextRoot(held(), v3))).toBe('ROOT_MISSING')
  })
  it('checks expiry of the root finally in force only', () => {
    const soon = signRoot(rootPayload([n1, n2, n3], 2, { version: 2, expires: '2026-11-28T11:00:00.000Z' }), [
      r1,
      r2,
      n1,
      n2,
    ])
    expect(code(followRootChain(held(), [soon], { now }))).toBe('ROOT_EXPIRED')
    const v3 = signRoot(rootPayload([n1, n2], 2, { version: 3 }), [n1, n2])
    expect(code(followRootChain(held(), [soon, v3], { now }))).toBe('ok')
    expect(code(followRootChain(held(), [soon, v3], { now: () => Date.parse(EXPIRES) }))).toBe('ROOT_EXPIRED')
  })
  it('property: accepted iff ≥ 2 of the old keys and ≥ 2 of the new keys signed', () => {
    const all = [r1, r2, r3, n1, n2, n3]
    fc.assert(
      fc.property(fc.subarray(all, { minLength: 1 }), (signers) => {
        const r = nextRoot(held(), v2(signers))
        const old = signers.filter((s) => [r1, r2, r3].includes(s)).length
        const own = signers.filter((s) => [n1, n2, n3].includes(s)).length
        expect(r.ok).toBe(old >= 2 && own >= 2)
        if (!r.ok) expect(r.code).toBe('ROOT_SIGNATURE_THRESHOLD')
      }),
      { numRuns: 60 },
    )
  })
  it('property: any altered byte of the payload is refused', () => {
    const env = v2([r1, r2, n1, n2])
    const bytes = Buffer.from(env.payload, 'base64')
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const copy = Buffer.from(bytes)
        copy[i] = (copy[i] ?? 0) ^ x
        const r = nextRoot(held(), { ...env, payload: copy.toString('base64') })
        expect(r.ok).toBe(false)
      }),
      { numRuns: 60 },
    )
  })
  it('a clock at expiry is expired (no off-by-one)', () => {
    expect(code(verifyInitialRoot(v1, { now: () => Date.parse(EXPIRES) }))).toBe('ROOT_EXPIRED')
    expect(code(verifyInitialRoot(v1, { now: () => Date.parse(EXPIRES) - 1 }))).toBe('ok')
    expect(NOW).toBeLessThan(Date.parse(EXPIRES))
  })
})
