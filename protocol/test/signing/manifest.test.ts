/** Every protocol-level bad input of issue 6, each refused with its own code. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MANIFEST_PAYLOAD_TYPE } from '../../src/index.ts'
import {
  generateKeyPair,
  MAX_ENVELOPE_BYTES,
  manifestDigest,
  manifestId,
  signEnvelope,
  signManifest,
  verifyManifest,
} from '../../src/signing/index.ts'
import { keys, manifest, NOW, now, trusted } from './fixtures.ts'

const { a, b, c } = keys
const trust = { trustedKeys: trusted(a, b, c), threshold: 1, now }
const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code)
const reencode = (payload: string, edit: (text: string) => string) =>
  Buffer.from(edit(Buffer.from(payload, 'base64').toString('utf8'))).toString('base64')

describe('verifyManifest accepts', () => {
  it('a manifest signed by one trusted key', () => {
    const r = verifyManifest(signManifest(manifest(), [a.privateKeyPem]), trust)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.payload.version).toBe('4.2.1')
    expect(r.keyids).toEqual([a.keyid])
    expect(r.id).toBe(manifestId(manifest()))
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/)
  })
  it('the envelope as JSON text and as bytes', () => {
    const text = JSON.stringify(signManifest(manifest(), [a.privateKeyPem]))
    expect(codeOf(verifyManifest(text, trust))).toBe('ok')
    expect(codeOf(verifyManifest(Buffer.from(text), trust))).toBe('ok')
  })
  it('a 2-of-3 threshold met by two distinct keys', () => {
    const env = signManifest(manifest(), [a.privateKeyPem, c.privateKeyPem])
    const r = verifyManifest(env, { ...trust, threshold: 2 })
    expect(r.ok && r.keyids.sort()).toEqual([a.keyid, c.keyid].sort())
  })
  it('a releasedAt slightly ahead of the clock (within the skew)', () => {
    const env = signManifest(manifest({ releasedAt: new Date(NOW + 60_000).toISOString() }), [
      a.privateKeyPem,
    ])
    expect(codeOf(verifyManifest(env, trust))).toBe('ok')
  })
})

describe('verifyManifest refuses', () => {
  it('a tampered payload: BAD_SIGNATURE', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const payload = reencode(env.payload, (t) => t.replace('igw-4.2.1.bin"', 'evil.bin"'))
    const r = verifyManifest({ ...env, payload }, trust)
    expect(codeOf(r)).toBe('BAD_SIGNATURE')
  })
  it('a manifest the hub altered before delivery, even only re-serialised: BAD_SIGNATURE', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const payload = reencode(env.payload, (t) => JSON.stringify(JSON.parse(t), null, 2))
    expect(codeOf(verifyManifest({ ...env, payload }, trust))).toBe('BAD_SIGNATURE')
  })
  it('a manifest the hub re-signed with its own key after altering it: UNKNOWN_KEY', () => {
    const hubKey = generateKeyPair()
    const altered = manifest({
      artifacts: [{ ...manifest().artifacts[0]!, url: 'https://evil.example/x.bin' }],
    })
    const r = verifyManifest(signManifest(altered, [hubKey.privateKeyPem]), trust)
    expect(codeOf(r)).toBe('UNKNOWN_KEY')
  })
  it('a signature by an unknown key: UNKNOWN_KEY', () => {
    const stranger = generateKeyPair()
    const r = verifyManifest(signManifest(manifest(), [stranger.privateKeyPem]), trust)
    expect(codeOf(r)).toBe('UNKNOWN_KEY')
    if (!r.ok) expect(r.message).toContain(stranger.keyid.slice(0, 16))
  })
  it('a signature by a revoked key: REVOKED_KEY', () => {
    const keysWithRevoked = [
      ...trusted(a, c),
      { keyid: b.keyid, publicKeyPem: b.publicKeyPem, revoked: true },
    ]
    const r = verifyManifest(signManifest(manifest(), [b.privateKeyPem]), {
      ...trust,
      trustedKeys: keysWithRevoked,
    })
    expect(codeOf(r)).toBe('REVOKED_KEY')
  })
  it('a revoked key does not count toward a threshold even beside a valid one: REVOKED_KEY', () => {
    const keysWithRevoked = [...trusted(a), { keyid: b.keyid, publicKeyPem: b.publicKeyPem, revoked: true }]
    const env = signManifest(manifest(), [a.privateKeyPem, b.privateKeyPem])
    expect(codeOf(verifyManifest(env, { ...trust, trustedKeys: keysWithRevoked, threshold: 2 }))).toBe(
      'REVOKED_KEY',
    )
  })
  it('fewer signatures than the threshold: THRESHOLD_NOT_MET', () => {
    const r = verifyManifest(signManifest(manifest(), [a.privateKeyPem]), { ...trust, threshold: 2 })
    expect(codeOf(r)).toBe('THRESHOLD_NOT_MET')
    if (!r.ok) expect(r.message).toContain('1 of 2')
  })
  it('the same signature listed twice counts once: THRESHOLD_NOT_MET', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const twice = { ...env, signatures: [env.signatures[0]!, env.signatures[0]!] }
    const r = verifyManifest(twice, { ...trust, threshold: 2 })
    expect(codeOf(r)).toBe('THRESHOLD_NOT_MET')
    if (!r.ok) expect(r.message).toContain('already counted')
  })
  it('the same key under a second keyid hint counts once: THRESHOLD_NOT_MET', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const twice = { ...env, signatures: [env.signatures[0]!, { sig: env.signatures[0]!.sig }] }
    expect(codeOf(verifyManifest(twice, { ...trust, threshold: 2 }))).toBe('THRESHOLD_NOT_MET')
  })
  it('the same key listed twice in the trust counts once: THRESHOLD_NOT_MET', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const r = verifyManifest(env, { ...trust, trustedKeys: trusted(a, a), threshold: 2 })
    expect(codeOf(r)).toBe('THRESHOLD_NOT_MET')
  })
  it('an expired manifest: EXPIRED', () => {
    const env = signManifest(manifest({ expiresAt: new Date(NOW - 1).toISOString() }), [a.privateKeyPem])
    expect(codeOf(verifyManifest(env, trust))).toBe('EXPIRED')
  })
  it('a manifest expiring exactly now: EXPIRED', () => {
    const env = signManifest(manifest({ expiresAt: new Date(NOW).toISOString() }), [a.privateKeyPem])
    expect(codeOf(verifyManifest(env, trust))).toBe('EXPIRED')
  })
  it('a manifest released in the future beyond the skew: RELEASED_IN_FUTURE', () => {
    const env = signManifest(manifest({ releasedAt: new Date(NOW + 3_600_000).toISOString() }), [
      a.privateKeyPem,
    ])
    expect(codeOf(verifyManifest(env, trust))).toBe('RELEASED_IN_FUTURE')
    expect(codeOf(verifyManifest(env, { ...trust, skewMs: 2 * 3_600_000 }))).toBe('ok')
  })
  it('a time that passes the format but is no comparable instant (leap second): SCHEMA', () => {
    const env = signManifest(manifest({ expiresAt: '2030-12-31T23:59:60Z' }), [a.privateKeyPem])
    const r = verifyManifest(env, trust)
    expect(codeOf(r)).toBe('SCHEMA')
    if (!r.ok) expect(r.message).toContain('/expiresAt')
  })
  it('a wrong payloadType: WRONG_PAYLOAD_TYPE', () => {
    const env = signEnvelope(manifest(), 'application/vnd.in-toto+json', [a.privateKeyPem])
    expect(codeOf(verifyManifest(env, trust))).toBe('WRONG_PAYLOAD_TYPE')
  })
  it('a payloadType swapped after signing: BAD_SIGNATURE (the PAE binds the type)', () => {
    const env = signEnvelope(manifest(), 'application/vnd.vigil.other+json', [a.privateKeyPem])
    const swapped = { ...env, payloadType: MANIFEST_PAYLOAD_TYPE }
    expect(codeOf(verifyManifest(swapped, trust))).toBe('BAD_SIGNATURE')
  })
  it('malformed base64 in the payload: MALFORMED_ENVELOPE (not silently truncated)', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    // A lone trailing character: a lenient decoder would silently drop it.
    let payload = env.payload.replace(/=+$/, '')
    while (payload.length % 4 !== 1) payload += 'A'
    const r = verifyManifest({ ...env, payload }, trust)
    expect(codeOf(r)).toBe('MALFORMED_ENVELOPE')
    if (!r.ok) expect(r.message).toContain('payload')
  })
  it('malformed base64 in a signature: MALFORMED_ENVELOPE', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const sig = {
      ...env.signatures[0]!,
      sig: `${env.signatures[0]!.sig.slice(0, 10)} ${env.signatures[0]!.sig.slice(10)}`,
    }
    const r = verifyManifest({ ...env, signatures: [sig] }, trust)
    expect(codeOf(r)).toBe('MALFORMED_ENVELOPE')
    if (!r.ok) expect(r.message).toContain('signatures/0/sig')
  })
  it('an envelope that is not JSON: MALFORMED_ENVELOPE', () => {
    expect(codeOf(verifyManifest('{"payloadType":', trust))).toBe('MALFORMED_ENVELOPE')
  })
  it('an envelope without signatures: MALFORMED_ENVELOPE', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    expect(codeOf(verifyManifest({ ...env, signatures: [] }, trust))).toBe('MALFORMED_ENVELOPE')
  })
  it('a signed payload that is not JSON: MALFORMED_PAYLOAD', () => {
    const env = signEnvelope(Buffer.from('{"vendor":'), MANIFEST_PAYLOAD_TYPE, [a.privateKeyPem])
    expect(codeOf(verifyManifest(env, trust))).toBe('MALFORMED_PAYLOAD')
  })
  it('a signed payload that breaks the schema: SCHEMA naming the field', () => {
    const bad = { ...manifest(), fixes: ['not-a-cve'] }
    const env = signEnvelope(bad, MANIFEST_PAYLOAD_TYPE, [a.privateKeyPem])
    const r = verifyManifest(env, trust)
    expect(codeOf(r)).toBe('SCHEMA')
    if (!r.ok) expect(r.message).toContain('/fixes/0')
  })
  it('an artifact name with a path: SCHEMA naming /artifacts/0/name', () => {
    const m = manifest()
    const bad = { ...m, artifacts: [{ ...m.artifacts[0]!, name: '../../etc/passwd' }] }
    const r = verifyManifest(signEnvelope(bad, MANIFEST_PAYLOAD_TYPE, [a.privateKeyPem]), trust)
    expect(codeOf(r)).toBe('SCHEMA')
    if (!r.ok) expect(r.message).toContain('/artifacts/0/name')
  })
  it('an oversize envelope: OVERSIZE, before anything is decoded', () => {
    const env = signManifest(manifest({ description: 'x'.repeat(4000) }), [a.privateKeyPem])
    expect(codeOf(verifyManifest(env, { ...trust, maxBytes: 2048 }))).toBe('OVERSIZE')
    const huge = `{"payloadType":"x","payload":"${'A'.repeat(MAX_ENVELOPE_BYTES)}","signatures":[]}`
    expect(codeOf(verifyManifest(huge, trust))).toBe('OVERSIZE')
  })
  it('another vendor’s manifest: VENDOR_MISMATCH', () => {
    const env = signManifest(manifest({ vendor: 'globex' }), [a.privateKeyPem])
    expect(codeOf(verifyManifest(env, { ...trust, vendor: 'acme-medical' }))).toBe('VENDOR_MISMATCH')
  })
  it('a trust whose keyid does not match its key: BAD_TRUST', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const wrong = [{ keyid: b.keyid, publicKeyPem: a.publicKeyPem }]
    expect(codeOf(verifyManifest(env, { ...trust, trustedKeys: wrong }))).toBe('BAD_TRUST')
    expect(codeOf(verifyManifest(env, { ...trust, threshold: 0 }))).toBe('BAD_TRUST')
  })
})

describe('manifestId / manifestDigest', () => {
  it('do not depend on key order', () => {
    const m = manifest()
    const { version, ...rest } = m
    const reordered = { ...rest, version }
    expect(Object.keys(reordered)).not.toEqual(Object.keys(m))
    expect(manifestDigest(reordered)).toBe(manifestDigest(m))
    expect(manifestId(m)).toBe(manifestDigest(m).slice(0, 32))
  })
  it('differ for the same version with other content (mix-and-match)', () => {
    const m = manifest()
    const other = manifest({ artifacts: [{ ...m.artifacts[0]!, sha256: 'b'.repeat(64) }] })
    expect(other.version).toBe(m.version)
    expect(manifestDigest(other)).not.toBe(manifestDigest(m))
  })
})

describe('signManifest', () => {
  it('lists every schema error before signing', () => {
    const bad = { ...manifest(), version: '', fixes: ['nope'] }
    expect(() => signManifest(bad, [a.privateKeyPem])).toThrow(/\/version.*\/fixes\/0|\/fixes\/0.*\/version/)
  })
  it('signs once per distinct key', () => {
    expect(signManifest(manifest(), [a.privateKeyPem, a.privateKeyPem]).signatures).toHaveLength(1)
  })
})

describe('tampering, property-based', () => {
  const env = signManifest(manifest(), [a.privateKeyPem])
  const bytes = Buffer.from(env.payload, 'base64')
  it('any single flipped bit of the payload is refused with BAD_SIGNATURE', () => {
    fc.assert(
      fc.property(fc.nat(bytes.length * 8 - 1), (bit) => {
        const copy = Buffer.from(bytes)
        copy[bit >> 3]! ^= 1 << (bit & 7)
        const r = verifyManifest({ ...env, payload: copy.toString('base64') }, trust)
        expect(codeOf(r)).toBe('BAD_SIGNATURE')
      }),
      { numRuns: 200 },
    )
  })
  it('any single flipped bit of the signature is refused with BAD_SIGNATURE', () => {
    const sig = Buffer.from(env.signatures[0]!.sig, 'base64')
    fc.assert(
      fc.property(fc.nat(sig.length * 8 - 1), (bit) => {
        const copy = Buffer.from(sig)
        copy[bit >> 3]! ^= 1 << (bit & 7)
        const signatures = [{ ...env.signatures[0]!, sig: copy.toString('base64') }]
        expect(codeOf(verifyManifest({ ...env, signatures }, trust))).toBe('BAD_SIGNATURE')
      }),
      { numRuns: 200 },
    )
  })
})

describe('verification never throws', () => {
  it('answers a coded refusal for any JSON value, text or bytes', () => {
    const env = signManifest(manifest(), [a.privateKeyPem])
    const envelopeLike = fc.record({
      payloadType: fc.oneof(fc.constant(MANIFEST_PAYLOAD_TYPE), fc.string()),
      payload: fc.oneof(fc.constant(env.payload), fc.string(), fc.base64String()),
      signatures: fc.array(
        fc.record({
          keyid: fc.oneof(fc.constant(a.keyid), fc.string()),
          sig: fc.oneof(fc.base64String(), fc.string()),
        }),
        { maxLength: 3 },
      ),
    })
    const input = fc.oneof(fc.jsonValue(), fc.string(), fc.uint8Array(), envelopeLike)
    fc.assert(
      fc.property(input, (value) => {
        const r = verifyManifest(value, trust)
        expect(r.ok).toBe(false)
        if (!r.ok) expect(typeof r.code).toBe('string')
      }),
      { numRuns: 500 },
    )
  })
})
