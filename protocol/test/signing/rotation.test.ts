import { describe, expect, it } from 'vitest'
import type { KeyRotationPayload, VendorTrust } from '../../src/index.ts'
import { KEY_ROTATION_PAYLOAD_TYPE } from '../../src/index.ts'
import {
  applyRotation,
  generateKeyPair,
  signEnvelope,
  signKeyRotation,
  signManifest,
  verifyManifest,
} from '../../src/signing/index.ts'
import { manifest, NOW, now, trusted } from './fixtures.ts'

const old1 = generateKeyPair()
const old2 = generateKeyPair()
const fresh = generateKeyPair()
const current: VendorTrust = { vendor: 'acme-medical', keys: trusted(old1, old2), threshold: 2, sequence: 0 }
const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code)

function rotation(overrides: Partial<KeyRotationPayload> = {}): KeyRotationPayload {
  return {
    vendor: 'acme-medical',
    keys: trusted(old1, fresh),
    threshold: 1,
    issuedAt: new Date(NOW - 1000).toISOString(),
    sequence: 1,
    ...overrides,
  }
}

describe('applyRotation', () => {
  it('replaces the key set when the threshold of current keys signed', () => {
    const r = applyRotation(current, signKeyRotation(rotation(), [old1.privateKeyPem, old2.privateKeyPem]), {
      now,
    })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.trust.threshold).toBe(1)
    expect(r.trust.sequence).toBe(1)
    const active = r.trust.keys.filter((k) => !k.revoked).map((k) => k.keyid)
    expect(active.sort()).toEqual([old1.keyid, fresh.keyid].sort())
    // The key rotated away is named as revoked from now on.
    expect(r.trust.keys.find((k) => k.keyid === old2.keyid)?.revoked).toBe(true)
    const byOld2 = verifyManifest(signManifest(manifest(), [old2.privateKeyPem]), {
      trustedKeys: r.trust.keys,
      threshold: r.trust.threshold,
      now,
    })
    expect(codeOf(byOld2)).toBe('REVOKED_KEY')
    const byFresh = verifyManifest(signManifest(manifest(), [fresh.privateKeyPem]), {
      trustedKeys: r.trust.keys,
      threshold: r.trust.threshold,
      now,
    })
    expect(codeOf(byFresh)).toBe('ok')
  })
  it('refuses a statement signed only by the new key (the hub cannot introduce keys): UNKNOWN_KEY', () => {
    const env = signKeyRotation(rotation(), [fresh.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('UNKNOWN_KEY')
  })
  it('refuses fewer current signatures than the threshold: THRESHOLD_NOT_MET', () => {
    const env = signKeyRotation(rotation(), [old1.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('THRESHOLD_NOT_MET')
    // One current key plus the new one: the new key is not trusted yet.
    const mixed = signKeyRotation(rotation(), [old1.privateKeyPem, fresh.privateKeyPem])
    expect(codeOf(applyRotation(current, mixed, { now }))).toBe('UNKNOWN_KEY')
  })
  it('refuses a replayed or older sequence: STALE_ROTATION', () => {
    const env = signKeyRotation(rotation({ sequence: 3 }), [old1.privateKeyPem, old2.privateKeyPem])
    expect(codeOf(applyRotation({ ...current, sequence: 3 }, env, { now }))).toBe('STALE_ROTATION')
  })
  it('refuses another vendor’s rotation: VENDOR_MISMATCH', () => {
    const env = signKeyRotation(rotation({ vendor: 'globex' }), [old1.privateKeyPem, old2.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('VENDOR_MISMATCH')
  })
  it('refuses a manifest envelope presented as a rotation: WRONG_PAYLOAD_TYPE', () => {
    const env = signManifest(manifest(), [old1.privateKeyPem, old2.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('WRONG_PAYLOAD_TYPE')
  })
  it('refuses a new key whose keyid is not its own: BAD_KEY', () => {
    const keys = [{ keyid: old1.keyid, publicKeyPem: fresh.publicKeyPem }]
    const env = signKeyRotation(rotation({ keys }), [old1.privateKeyPem, old2.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('BAD_KEY')
  })
  it('refuses a threshold above the number of distinct new keys: BAD_TRUST', () => {
    const keys = trusted(fresh, fresh)
    const env = signKeyRotation(rotation({ keys, threshold: 2 }), [old1.privateKeyPem, old2.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('BAD_TRUST')
  })
  it('refuses a statement issued in the future: RELEASED_IN_FUTURE', () => {
    const issuedAt = new Date(NOW + 3_600_000).toISOString()
    const env = signKeyRotation(rotation({ issuedAt }), [old1.privateKeyPem, old2.privateKeyPem])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('RELEASED_IN_FUTURE')
  })
  it('refuses a signed payload that breaks the schema: SCHEMA', () => {
    const env = signEnvelope({ vendor: 'acme-medical', keys: [] }, KEY_ROTATION_PAYLOAD_TYPE, [
      old1.privateKeyPem,
      old2.privateKeyPem,
    ])
    expect(codeOf(applyRotation(current, env, { now }))).toBe('SCHEMA')
  })
})
