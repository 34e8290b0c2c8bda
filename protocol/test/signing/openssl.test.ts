/**
 * A vendor with nothing but openssl (an HSM, an air-gapped machine): the recipe of VENDOR.md, run for
 * real, must produce an envelope that verifies through our code, and our keys must be openssl's.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MANIFEST_PAYLOAD_TYPE } from '../../src/index.ts'
import { generateKeyPair, keyIdFromPem, pae, signManifest, verifyManifest } from '../../src/signing/index.ts'
import { manifest, now } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'vigil-openssl-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sh = (script: string) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir }).toString()

// The recipe exactly as VENDOR.md shows it, so the documentation cannot drift from what works.
const vendorMd = readFileSync(new URL('../../VENDOR.md', import.meta.url), 'utf8')
const RECIPE = vendorMd
  .split('<!-- openssl-recipe:start -->')[1]
  ?.split('<!-- openssl-recipe:end -->')[0]
  ?.replace(/^\s*```sh\n/, '')
  .replace(/```\s*$/, '')

describe('openssl-only signing', () => {
  const manifestText = `${JSON.stringify(manifest(), null, 2)}\n`
  writeFileSync(join(dir, 'manifest.json'), manifestText)
  if (RECIPE === undefined) throw new Error('VENDOR.md lost its openssl recipe markers')
  sh(RECIPE)
  const keyid = sh(
    'openssl pkey -pubin -in pub.pem -outform DER | openssl dgst -sha256 -r | cut -d" " -f1',
  ).trim()
  const pub = readFileSync(join(dir, 'pub.pem'), 'utf8')

  it('computes the same keyid as keyIdFromPem (in the envelope too)', () => {
    expect(keyid).toMatch(/^[0-9a-f]{64}$/)
    expect(keyIdFromPem(pub)).toBe(keyid)
    expect(JSON.parse(readFileSync(join(dir, 'envelope.json'), 'utf8')).signatures[0].keyid).toBe(keyid)
  })
  it('builds the same PAE bytes as pae()', () => {
    const ours = pae(MANIFEST_PAYLOAD_TYPE, Buffer.from(manifestText))
    expect(Buffer.from(ours).equals(readFileSync(join(dir, 'pae.bin')))).toBe(true)
  })
  it('produces an envelope that verifyManifest accepts', () => {
    const envelope = readFileSync(join(dir, 'envelope.json'), 'utf8')
    const r = verifyManifest(envelope, { trustedKeys: [{ keyid, publicKeyPem: pub }], threshold: 1, now })
    expect(r.ok ? 'ok' : `${r.code}: ${r.message}`).toBe('ok')
  })
  it('is refused with BAD_SIGNATURE once a byte of the payload changes', () => {
    const env = JSON.parse(readFileSync(join(dir, 'envelope.json'), 'utf8'))
    const payload = Buffer.from(manifestText.replace('"size": 1024', '"size": 1025')).toString('base64')
    const r = verifyManifest(
      { ...env, payload },
      { trustedKeys: [{ keyid, publicKeyPem: pub }], threshold: 1, now },
    )
    expect(r.ok ? 'ok' : r.code).toBe('BAD_SIGNATURE')
  })
  it('reads our generated keys: openssl derives the same public key and keyid', () => {
    const pair = generateKeyPair()
    writeFileSync(join(dir, 'ours.pem'), pair.privateKeyPem, { mode: 0o600 })
    const derived = sh(
      'openssl pkey -in ours.pem -pubout -outform DER | openssl dgst -sha256 -r | cut -d" " -f1',
    ).trim()
    expect(derived).toBe(pair.keyid)
  })
  it('our signatures verify with openssl pkeyutl -verify over our PAE bytes', () => {
    const pair = generateKeyPair()
    writeFileSync(join(dir, 'ours.pub.pem'), pair.publicKeyPem)
    const env = signManifest(manifest(), [pair.privateKeyPem])
    writeFileSync(join(dir, 'ours.pae'), pae(env.payloadType, Buffer.from(env.payload, 'base64')))
    writeFileSync(join(dir, 'ours.sig'), Buffer.from(env.signatures[0]!.sig, 'base64'))
    const verify = 'openssl pkeyutl -verify -rawin -pubin -inkey ours.pub.pem -in ours.pae -sigfile ours.sig'
    expect(sh(verify)).toContain('Signature Verified Successfully')
    writeFileSync(join(dir, 'ours.pae'), pae(`${env.payloadType} `, Buffer.from(env.payload, 'base64')))
    expect(() => sh(verify)).toThrow()
  })
})
