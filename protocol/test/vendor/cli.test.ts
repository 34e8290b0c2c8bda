/** vigil-vendor run for real, as a child process, in a temp dir. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { VendorTrust } from '../../src/index.ts'
import { applyRotation, keyIdFromPem, verifyManifest } from '../../src/signing/index.ts'
import { COMMAND_NAMES } from '../../src/vendor/main.ts'
import { manifest } from '../signing/fixtures.ts'
import { removeCli, vendor } from './run.ts'

const dir = mkdtempSync(join(tmpdir(), 'vigil-vendor-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  removeCli()
})
const at = (name: string) => join(dir, name)
const run = (...args: string[]) => vendor(args, { cwd: dir })
const read = (name: string) => readFileSync(at(name), 'utf8')

// A manifest valid for years from any test run date.
const valid = manifest({ releasedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' })
writeFileSync(at('manifest.json'), JSON.stringify(valid, null, 2))

describe('vigil-vendor --help', () => {
  it('lists the commands and exits 0', async () => {
    const r = await run('--help')
    expect(r.code).toBe(0)
    expect(COMMAND_NAMES).toEqual(
      expect.arrayContaining(['keygen', 'sign', 'verify', 'push', 'rotate', 'keyid']),
    )
    for (const c of COMMAND_NAMES) expect(r.stdout).toContain(`  ${c} `)
  })
  it.each(COMMAND_NAMES)('%s --help shows its usage', async (c) => {
    const r = await run(c, '--help')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`vigil-vendor ${c}`)
  })
  it('exits 2 without a command and on an unknown one', async () => {
    expect((await run()).code).toBe(2)
    const r = await run('frobnicate')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command "frobnicate"')
  })
  it('exits 2 on an unknown option', async () => {
    const r = await run('verify', 'x.json', '--pub', 'p.pem', '--bogus')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--bogus')
  })
})

describe('keygen', () => {
  it('writes a 0600 private key and a public key, and prints the keyid openssl computes', async () => {
    const r = await run('keygen', '--out', 'k1')
    expect(r.code).toBe(0)
    const keyid = r.stdout.trim()
    expect(statSync(at('k1.pem')).mode & 0o777).toBe(0o600)
    expect(keyIdFromPem(read('k1.pub.pem'))).toBe(keyid)
    const ossl = execFileSync('bash', ['-c', 'openssl pkey -pubin -in k1.pub.pem -outform DER | sha256sum'], {
      cwd: dir,
    })
    expect(ossl.toString().split(' ')[0]).toBe(keyid)
    expect((await run('keyid', 'k1.pem')).stdout.trim()).toBe(keyid)
  })
  it('never overwrites an existing key (exit 2)', async () => {
    const before = read('k1.pem')
    const r = await run('keygen', '--out', 'k1')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('already exists')
    expect(read('k1.pem')).toBe(before)
  })
  it('makes a second key for threshold tests', async () => {
    expect((await run('keygen', '--out', 'k2')).code).toBe(0)
  })
})

describe('sign and verify', () => {
  it('signs a valid manifest into an envelope the library verifies', async () => {
    const r = await run('sign', 'manifest.json', '--key', 'k1.pem', '--out', 'env.json')
    expect(r.code).toBe(0)
    const v = verifyManifest(read('env.json'), {
      trustedKeys: [{ keyid: keyIdFromPem(read('k1.pub.pem')), publicKeyPem: read('k1.pub.pem') }],
      threshold: 1,
    })
    expect(v.ok ? v.payload : v.code).toEqual(valid)
  })
  it('verify accepts it (exit 0) and names the manifest', async () => {
    const r = await run('verify', 'env.json', '--pub', 'k1.pub.pem')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('OK acme-medical infusion-gw 4.2.1')
  })
  it('verify --json answers the payload and keyids', async () => {
    const r = await run('verify', 'env.json', '--pub', 'k1.pub.pem', '--json')
    const out = JSON.parse(r.stdout)
    expect(out.ok).toBe(true)
    expect(out.keyids).toEqual([keyIdFromPem(read('k1.pub.pem'))])
  })
  it('verify refuses a tampered envelope with BAD_SIGNATURE (exit 1)', async () => {
    const env = JSON.parse(read('env.json'))
    const text = Buffer.from(env.payload, 'base64').toString().replace('"size":1024', '"size":1023')
    writeFileSync(
      at('tampered.json'),
      JSON.stringify({ ...env, payload: Buffer.from(text).toString('base64') }),
    )
    const r = await run('verify', 'tampered.json', '--pub', 'k1.pub.pem')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('REFUSED BAD_SIGNATURE')
  })
  it('verify refuses a key it was not given with UNKNOWN_KEY (exit 1)', async () => {
    const r = await run('verify', 'env.json', '--pub', 'k2.pub.pem')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('UNKNOWN_KEY')
  })
  it('verify refuses an oversize file with OVERSIZE (exit 1) without reading it', async () => {
    writeFileSync(at('huge.json'), Buffer.alloc(300 * 1024, 0x20))
    const r = await run('verify', 'huge.json', '--pub', 'k1.pub.pem')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('REFUSED OVERSIZE')
  })
  it('a 2-of-2 threshold: two keys pass, one key is THRESHOLD_NOT_MET', async () => {
    expect(
      (await run('sign', 'manifest.json', '--key', 'k1.pem', '--key', 'k2.pem', '--out', 'env2.json')).code,
    ).toBe(0)
    const two = await run(
      'verify',
      'env2.json',
      '--pub',
      'k1.pub.pem',
      '--pub',
      'k2.pub.pem',
      '--threshold',
      '2',
    )
    expect(two.code).toBe(0)
    const one = await run(
      'verify',
      'env.json',
      '--pub',
      'k1.pub.pem',
      '--pub',
      'k2.pub.pem',
      '--threshold',
      '2',
    )
    expect(one.code).toBe(1)
    expect(one.stderr).toContain('THRESHOLD_NOT_MET')
  })
  it('sign refuses an invalid manifest, listing every problem, and signs nothing (exit 1)', async () => {
    const bad = {
      ...valid,
      version: '',
      fixes: ['nope'],
      artifacts: [{ ...valid.artifacts[0], name: 'a/b.bin' }],
    }
    writeFileSync(at('bad.json'), JSON.stringify(bad))
    const r = await run('sign', 'bad.json', '--key', 'k1.pem', '--out', 'bad-env.json')
    expect(r.code).toBe(1)
    for (const field of ['/version', '/fixes/0', '/artifacts/0/name']) expect(r.stderr).toContain(field)
    expect(() => statSync(at('bad-env.json'))).toThrow()
  })
  it('sign refuses a file that is not JSON (exit 1) and a missing key (exit 2)', async () => {
    writeFileSync(at('junk.json'), '{"vendor":')
    expect((await run('sign', 'junk.json', '--key', 'k1.pem')).code).toBe(1)
    const r = await run('sign', 'manifest.json', '--key', 'missing.pem')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('missing.pem')
  })
  it('sign refuses a public key in place of a private one (exit 2)', async () => {
    const r = await run('sign', 'manifest.json', '--key', 'k1.pub.pem')
    expect(r.code).toBe(2)
  })
})

describe('rotate', () => {
  it('writes a statement that applyRotation accepts from the current key', async () => {
    expect((await run('keygen', '--out', 'k3')).code).toBe(0)
    const args = ['rotate', '--vendor', 'acme-medical', '--sequence', '1', '--new-pub', 'k3.pub.pem']
    const r = await run(...args, '--key', 'k1.pem', '--out', 'rot.json')
    expect(r.code).toBe(0)
    const current: VendorTrust = {
      vendor: 'acme-medical',
      keys: [{ keyid: keyIdFromPem(read('k1.pub.pem')), publicKeyPem: read('k1.pub.pem') }],
      threshold: 1,
      sequence: 0,
    }
    const applied = applyRotation(current, read('rot.json'))
    expect(applied.ok && applied.trust.keys.filter((k) => !k.revoked).map((k) => k.keyid)).toEqual([
      keyIdFromPem(read('k3.pub.pem')),
    ])
  })
})
