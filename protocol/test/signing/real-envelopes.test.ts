/**
 * PAE and DSSE handling against real envelopes made by other implementations (testdata/signing):
 * Sigstore conformance bundles (ECDSA P-256, Go/Python signers) and in-toto links (RSA-PSS,
 * securesystemslib). Their signatures cover the PAE bytes, so they verify only if ours match exactly.
 */
import { createPublicKey, verify, X509Certificate } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/canonical.ts'
import {
  decodeBase64Strict,
  keyIdFromKey,
  keyIdFromPem,
  pae,
  publicKeyPem,
  verifyEnvelope,
  verifySignature,
} from '../../src/signing/index.ts'

const DATA = join(import.meta.dirname, '../../../testdata/signing')
const SIGSTORE = join(DATA, 'sigstore__sigstore-conformance/test/assets/bundle-verify')
const INTOTO = join(DATA, 'in-toto__in-toto/tests')
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'))

// Bundles whose DSSE signature itself is wrong; every other one fails (if at all) for tlog or
// certificate reasons, and its envelope signature is valid in isolation (see each README).
const BAD_DSSE_SIGNATURE = new Set(['dsse-invalid-sig_fail', 'rekor2-dsse-invalid-sig_fail'])

describe('Sigstore conformance bundles (ECDSA P-256 over PAE)', () => {
  const dirs = readdirSync(SIGSTORE)
  it('finds the bundles', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(10)
  })
  for (const dir of dirs) {
    it(`${dir}: ${BAD_DSSE_SIGNATURE.has(dir) ? 'BAD_SIGNATURE' : 'verifies'}`, () => {
      const bundle = readJson(join(SIGSTORE, dir, 'bundle.sigstore.json'))
      const material = bundle.verificationMaterial
      const raw = material.certificate?.rawBytes ?? material.x509CertificateChain.certificates[0].rawBytes
      const key = new X509Certificate(Buffer.from(raw, 'base64')).publicKey
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
      const env = bundle.dsseEnvelope
      const options = {
        trustedKeys: [{ keyid: keyIdFromKey(key), publicKeyPem: publicKeyPem(key) }],
        threshold: 1,
        schemes: ['ecdsa-sha256'] as const,
      }
      const result = verifyEnvelope(env, options)
      // Independently of verifyEnvelope: node:crypto over our PAE bytes.
      const direct = verify(
        'sha256',
        pae(env.payloadType, Buffer.from(env.payload, 'base64')),
        key,
        Buffer.from(env.signatures[0].sig, 'base64'),
      )
      if (BAD_DSSE_SIGNATURE.has(dir)) {
        expect(direct).toBe(false)
        expect(result.ok ? 'ok' : result.code).toBe('BAD_SIGNATURE')
      } else {
        expect(direct).toBe(true)
        expect(result.ok).toBe(true)
        if (result.ok) expect(result.payloadType).toBe('application/vnd.in-toto+json')
      }
    })
  }
  it('refuses an ECDSA envelope when only Ed25519 is accepted (the default)', () => {
    const bundle = readJson(join(SIGSTORE, 'happy-path-intoto-in-dsse-v3', 'bundle.sigstore.json'))
    const key = new X509Certificate(Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'))
      .publicKey
    const r = verifyEnvelope(bundle.dsseEnvelope, {
      trustedKeys: [{ keyid: keyIdFromKey(key), publicKeyPem: publicKeyPem(key) }],
      threshold: 1,
    })
    expect(r.ok ? 'ok' : r.code).toBe('BAD_TRUST')
  })
})

describe('in-toto DSSE links (RSA-PSS over PAE)', () => {
  const cases = [
    { file: 'package.2f89b927.link', signer: 'carl' },
    { file: 'write-code.776a00e2.link', signer: 'bob' },
  ]
  for (const { file, signer } of cases) {
    it(`${file} verifies with ${signer}'s key and with no other`, () => {
      const env = readJson(join(INTOTO, 'demo_dsse_files', file))
      for (const who of ['alice', 'bob', 'carl']) {
        const pem = readFileSync(join(INTOTO, 'demo_files', `${who}.pub`), 'utf8')
        const r = verifyEnvelope(env, {
          trustedKeys: [{ keyid: keyIdFromPem(pem), publicKeyPem: pem }],
          threshold: 1,
          schemes: ['rsa-pss-sha256'],
        })
        // in-toto's keyids are not SPKI hashes, so another signer's hint is an unknown key.
        expect(r.ok ? 'ok' : r.code).toBe(who === signer ? 'ok' : 'UNKNOWN_KEY')
      }
    })
  }
  it('a one-byte change in the payload no longer verifies', () => {
    const env = readJson(join(INTOTO, 'demo_dsse_files', 'write-code.776a00e2.link'))
    const payload = Buffer.from(env.payload, 'base64')
    payload[payload.length - 2]! ^= 1
    const pem = readFileSync(join(INTOTO, 'demo_files', 'bob.pub'), 'utf8')
    const r = verifyEnvelope(
      { ...env, payload: payload.toString('base64') },
      {
        trustedKeys: [{ keyid: keyIdFromPem(pem), publicKeyPem: pem }],
        threshold: 1,
        schemes: ['rsa-pss-sha256'],
      },
    )
    expect(r.ok ? 'ok' : r.code).toBe('UNKNOWN_KEY')
  })
})

describe('real Ed25519 keys and signatures', () => {
  it('computes the keyid of in-toto’s Ed25519 PEM as the SHA-256 of its DER SPKI', () => {
    const pem = readFileSync(join(INTOTO, 'pems/ed25519_public.pem'), 'utf8')
    const key = createPublicKey(pem)
    expect(key.asymmetricKeyType).toBe('ed25519')
    expect(keyIdFromPem(pem)).toBe('0f930f5ce4a828751465e98a728243a6b0758c5c754e0fb84e3c325ed6b54e06')
  })
  it('verifies python-tuf’s Ed25519 signatures with verifySignature (the primitive under verifyEnvelope)', () => {
    const dir = join(DATA, 'theupdateframework__python-tuf/tests/generated_data/ed25519_metadata')
    const root = readJson(join(dir, 'root_with_ed25519.json'))
    let checked = 0
    for (const file of readdirSync(dir)) {
      const doc = readJson(join(dir, file))
      for (const s of doc.signatures) {
        const raw = Buffer.from(root.signed.keys[s.keyid].keyval.public, 'hex')
        const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw])
        const key = createPublicKey({ key: spki, format: 'der', type: 'spki' })
        const body = Buffer.from(canonicalJson(doc.signed))
        expect(verifySignature(key, 'ed25519', body, Buffer.from(s.sig, 'hex'))).toBe(true)
        body[body.length - 2]! ^= 1
        expect(verifySignature(key, 'ed25519', body, Buffer.from(s.sig, 'hex'))).toBe(false)
        checked++
      }
    }
    expect(checked).toBe(4)
  })
})

describe('strict base64 on real envelopes', () => {
  it('decodes every real payload and signature exactly', () => {
    for (const file of ['package.2f89b927.link', 'write-code.776a00e2.link']) {
      const env = readJson(join(INTOTO, 'demo_dsse_files', file))
      expect(Buffer.from(decodeBase64Strict(env.payload) ?? []).toString('base64')).toBe(env.payload)
    }
  })
})
