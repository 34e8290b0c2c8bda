import { describe, expect, it } from 'vitest'
import type { VendorTrust } from '../../src/index.ts'
import {
  claimedVendor,
  generateKeyPair,
  signEnvelope,
  signManifest,
  verifyManifestWithTrust,
} from '../../src/signing/index.ts'
import { keys, manifest, now, trusted } from './fixtures.ts'

const globexKey = generateKeyPair()
const trusts: VendorTrust[] = [
  { vendor: 'acme-medical', keys: trusted(keys.a, keys.b), threshold: 2, sequence: 0 },
  { vendor: 'globex', keys: trusted(globexKey), threshold: 1, sequence: 4 },
]
const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code)

describe('verifyManifestWithTrust', () => {
  it('judges each manifest by the keys and threshold of the vendor it names', () => {
    const acme = signManifest(manifest(), [keys.a.privateKeyPem, keys.b.privateKeyPem])
    expect(codeOf(verifyManifestWithTrust(acme, trusts, { now }))).toBe('ok')
    const globex = signManifest(manifest({ vendor: 'globex' }), [globexKey.privateKeyPem])
    expect(codeOf(verifyManifestWithTrust(globex, trusts, { now }))).toBe('ok')
  })
  it('applies the named vendor’s threshold: THRESHOLD_NOT_MET', () => {
    const acme = signManifest(manifest(), [keys.a.privateKeyPem])
    expect(codeOf(verifyManifestWithTrust(acme, trusts, { now }))).toBe('THRESHOLD_NOT_MET')
  })
  it('one vendor’s key cannot sign for another: UNKNOWN_KEY', () => {
    const forged = signManifest(manifest({ vendor: 'globex' }), [keys.a.privateKeyPem])
    expect(codeOf(verifyManifestWithTrust(forged, trusts, { now }))).toBe('UNKNOWN_KEY')
  })
  it('a vendor the agent does not know: UNKNOWN_KEY naming it', () => {
    const r = verifyManifestWithTrust(
      signManifest(manifest({ vendor: 'initech' }), [keys.c.privateKeyPem]),
      trusts,
    )
    expect(codeOf(r)).toBe('UNKNOWN_KEY')
    if (!r.ok) expect(r.message).toContain('initech')
  })
  it('still names a broken envelope or payloadType first', () => {
    expect(codeOf(verifyManifestWithTrust('not json', trusts))).toBe('MALFORMED_ENVELOPE')
    const other = signEnvelope(manifest({ vendor: 'initech' }), 'text/plain', [keys.c.privateKeyPem])
    expect(codeOf(verifyManifestWithTrust(other, trusts))).toBe('WRONG_PAYLOAD_TYPE')
  })
})

describe('claimedVendor', () => {
  it('reads the vendor an envelope names before any signature is checked (here signed by another vendor)', () => {
    const env = signManifest(manifest({ vendor: 'globex' }), [keys.a.privateKeyPem])
    expect(claimedVendor(env)).toBe('globex')
    expect(claimedVendor(JSON.stringify(env))).toBe('globex')
  })

  it('answers undefined for no envelope, a payload that is not strict JSON, or no string vendor', () => {
    const env = signManifest(manifest(), [keys.a.privateKeyPem])
    const payload = (text: string) => ({ ...env, payload: Buffer.from(text).toString('base64') })
    expect(claimedVendor({ nope: true })).toBeUndefined()
    expect(claimedVendor(payload('{"vendor":"a","vendor":"b"}'))).toBeUndefined()
    expect(claimedVendor(payload('{"vendor":42}'))).toBeUndefined()
    expect(claimedVendor(payload('not json'))).toBeUndefined()
    expect(claimedVendor(payload('{"vendor":"acme"}'))).toBe('acme')
  })
})
