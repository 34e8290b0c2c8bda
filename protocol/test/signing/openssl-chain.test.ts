/**
 * Root key holders with nothing but openssl: VENDOR.md's delegation recipe, run as-is, must produce a
 * delegation our verifier accepts under a root whose keys openssl made; and openssl is the oracle for
 * our own signatures (what signDelegation/signRoot write verifies with `openssl pkeyutl -verify`).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { DELEGATION_PAYLOAD_TYPE, ROOT_PAYLOAD_TYPE } from '../../src/index.ts'
import {
  generateKeyPair,
  pae,
  signDelegation,
  signRoot,
  trustKeyOf,
  verifyDelegation,
  verifyInitialRoot,
} from '../../src/signing/index.ts'
import { delegationPayload, rootPayload } from './chain-fixtures.ts'
import { now } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'vigil-openssl-chain-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sh = (script: string) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir }).toString()

const vendorMd = readFileSync(new URL('../../VENDOR.md', import.meta.url), 'utf8')
const RECIPE = vendorMd
  .split('<!-- openssl-delegation:start -->')[1]
  ?.split('<!-- openssl-delegation:end -->')[0]
  ?.replace(/^\s*```sh\n/, '')
  .replace(/```\s*$/, '')

describe('openssl-only delegation signing (VENDOR.md recipe)', () => {
  if (RECIPE === undefined) throw new Error('VENDOR.md lost its openssl-delegation markers')
  // The recipe makes root-1/root-2; a third root key comes from our generator (2-of-3 root).
  writeFileSync(
    join(dir, 'delegation.json'),
    `${JSON.stringify(delegationPayload({ version: 4 }), null, 2)}\n`,
  )
  sh(RECIPE)
  const pub = (f: string) => sh(`openssl pkey -in ${f} -pubout`)
  const third = generateKeyPair()
  const root = rootPayload([], 2, {
    keys: [trustKeyOf(pub('root-1.pem')), trustKeyOf(pub('root-2.pem')), trustKeyOf(third.publicKeyPem)],
  })
  const envelope = readFileSync(join(dir, 'delegation.dsse.json'), 'utf8')

  it('builds the same PAE bytes as pae()', () => {
    const ours = pae(DELEGATION_PAYLOAD_TYPE, readFileSync(join(dir, 'delegation.json')))
    expect(Buffer.from(ours).equals(readFileSync(join(dir, 'pae.bin')))).toBe(true)
  })
  it('produces a delegation verifyDelegation accepts under the 2-of-3 root', () => {
    const r = verifyDelegation(root, envelope, { now })
    expect(r.ok ? r.delegation.payload.version : `${r.code}: ${r.message}`).toBe(4)
  })
  it('is DELEGATION_THRESHOLD with one of the two signatures, DELEGATION_ALTERED with a changed byte', () => {
    const env = JSON.parse(envelope)
    const one = verifyDelegation(root, { ...env, signatures: env.signatures.slice(0, 1) }, { now })
    expect(one.ok ? 'ok' : one.code).toBe('DELEGATION_THRESHOLD')
    const text = readFileSync(join(dir, 'delegation.json'), 'utf8').replace(
      '"threshold": 1',
      '"threshold": 2',
    )
    const altered = verifyDelegation(root, { ...env, payload: Buffer.from(text).toString('base64') }, { now })
    expect(altered.ok ? 'ok' : altered.code).toBe('DELEGATION_ALTERED')
  })
  it('a root signed by openssl (root-1 + root-2) is accepted as the initial root', () => {
    writeFileSync(join(dir, 'root.json'), JSON.stringify(root))
    const recipe = RECIPE.replace(/^openssl genpkey.*$/gm, '')
      .replace(/delegation\.json/g, 'root.json')
      .replace(/delegation\.dsse\.json/g, 'root.dsse.json')
      .replace(DELEGATION_PAYLOAD_TYPE, ROOT_PAYLOAD_TYPE)
    sh(recipe)
    const r = verifyInitialRoot(readFileSync(join(dir, 'root.dsse.json'), 'utf8'), { now })
    expect(r.ok ? r.root.payload.threshold : `${r.code}: ${r.message}`).toBe(2)
  })
})

describe('openssl as the oracle of our signatures', () => {
  const key = generateKeyPair()
  writeFileSync(join(dir, 'oracle.pub.pem'), key.publicKeyPem)
  const opensslVerifies = (type: string, env: { payload: string; signatures: { sig: string }[] }) => {
    writeFileSync(join(dir, 'o-pae.bin'), pae(type, Buffer.from(env.payload, 'base64')))
    writeFileSync(join(dir, 'o-sig.bin'), Buffer.from(env.signatures[0]?.sig ?? '', 'base64'))
    try {
      sh('openssl pkeyutl -verify -rawin -pubin -inkey oracle.pub.pem -in o-pae.bin -sigfile o-sig.bin')
      return true
    } catch {
      return false
    }
  }
  it('property: every delegation and root we sign verifies with openssl', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
        fc.boolean(),
        (version, vendor, isRoot) => {
          const env = isRoot
            ? signRoot(rootPayload([key], 1, { version }), [key.privateKeyPem])
            : signDelegation(delegationPayload({ version, vendor }), [key.privateKeyPem])
          expect(opensslVerifies(isRoot ? ROOT_PAYLOAD_TYPE : DELEGATION_PAYLOAD_TYPE, env)).toBe(true)
        },
      ),
      { numRuns: 8 },
    )
  })
  it('openssl refuses our signature over a changed payload type (the type is signed too)', () => {
    const env = signDelegation(delegationPayload(), [key.privateKeyPem])
    expect(opensslVerifies(ROOT_PAYLOAD_TYPE, env)).toBe(false)
  })
})
