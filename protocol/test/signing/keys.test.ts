import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, keyIdFromPem, readVendorKey, SigningError } from '../../src/signing/index.ts'

const INTOTO = join(import.meta.dirname, '../../../testdata/signing/in-toto__in-toto/tests')
const codeOf = (fn: () => unknown) => {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return err instanceof SigningError ? err.code : String(err)
  }
}

describe('readVendorKey', () => {
  it('accepts an Ed25519 PEM public key and answers its keyid and canonical PEM', () => {
    const pair = generateKeyPair()
    const messy = pair.publicKeyPem.replace(/\n/g, '\r\n')
    expect(readVendorKey(messy)).toEqual({ keyid: pair.keyid, publicKeyPem: pair.publicKeyPem })
  })
  it('accepts the real in-toto Ed25519 key', () => {
    const pem = readFileSync(join(INTOTO, 'pems/ed25519_public.pem'), 'utf8')
    expect(readVendorKey(pem).keyid).toBe(keyIdFromPem(pem))
  })
  it('refuses a private key, so a vendor never uploads one by mistake: BAD_KEY', () => {
    expect(codeOf(() => readVendorKey(generateKeyPair().privateKeyPem))).toBe('BAD_KEY')
  })
  it('refuses an RSA key (the real in-toto alice.pub) and an EC key: BAD_KEY', () => {
    expect(codeOf(() => readVendorKey(readFileSync(join(INTOTO, 'demo_files/alice.pub'), 'utf8')))).toBe(
      'BAD_KEY',
    )
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    })
    expect(codeOf(() => readVendorKey(ec.toString()))).toBe('BAD_KEY')
  })
  it('refuses garbage and a truncated PEM: BAD_KEY', () => {
    expect(codeOf(() => readVendorKey('hello'))).toBe('BAD_KEY')
    const pem = generateKeyPair().publicKeyPem
    expect(codeOf(() => readVendorKey(pem.slice(0, 60)))).toBe('BAD_KEY')
  })
  it('keyIdFromPem of a private key is the keyid of its public half', () => {
    const pair = generateKeyPair()
    expect(keyIdFromPem(pair.privateKeyPem)).toBe(pair.keyid)
  })
})
