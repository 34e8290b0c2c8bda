/**
 * Keys: public keys travel as PEM SubjectPublicKeyInfo, private keys as PEM PKCS#8, and a key's id is
 * the lowercase hex SHA-256 of its DER SPKI — exactly what
 * `openssl pkey -pubin -outform DER | sha256sum` prints.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { SigningError } from './errors.js'

/** Signature schemes a verifier may accept. Vigil manifests use `ed25519` only. */
export type SignatureScheme = 'ed25519' | 'ecdsa-sha256' | 'ecdsa-sha384' | 'rsa-pss-sha256'

export interface KeyPair {
  keyid: string
  publicKeyPem: string
  privateKeyPem: string
}

const MAX_PEM_CHARS = 16_384

function keyIdOf(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('hex')
}

/** Parses a PEM public key (SPKI; a PEM certificate is accepted too). Throws `SigningError('BAD_KEY')`. */
export function parsePublicKeyPem(pem: string): KeyObject {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS || !pem.includes('-----BEGIN ')) {
    throw new SigningError('BAD_KEY', 'not a PEM public key')
  }
  if (pem.includes('PRIVATE KEY-----')) {
    throw new SigningError('BAD_KEY', 'this is a PRIVATE key: share only the public key')
  }
  try {
    return createPublicKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new SigningError('BAD_KEY', `cannot read the public key: ${(err as Error).message}`)
  }
}

/** Parses a PEM public key and insists it is Ed25519 (what Vigil trusts for manifests). */
export function parseEd25519PublicKeyPem(pem: string): KeyObject {
  const key = parsePublicKeyPem(pem)
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningError('BAD_KEY', `expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`)
  }
  return key
}

/** Lowercase hex SHA-256 of the DER SPKI of the PEM public key (or of the public half of a private key). */
export function keyIdFromPem(pem: string): string {
  if (typeof pem === 'string' && pem.includes('PRIVATE KEY-----')) return keyIdOf(publicKeyOf(pem))
  return keyIdOf(parsePublicKeyPem(pem))
}

export function keyIdFromKey(key: KeyObject): string {
  return keyIdOf(key.type === 'private' ? createPublicKey(key) : key)
}

/** The canonical PEM SPKI of a public key (normalises line breaks, strips any certificate wrapper). */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString()
}

export function parsePrivateKeyPem(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new SigningError('BAD_KEY', `cannot read the private key: ${(err as Error).message}`)
  }
}

function publicKeyOf(privatePem: string): KeyObject {
  return createPublicKey(parsePrivateKeyPem(privatePem))
}

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public) with its keyid. */
export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return {
    keyid: keyIdOf(publicKey),
    publicKeyPem: publicKeyPem(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  }
}

/** The scheme a public key verifies with, or undefined when the key type is not in `allowed`. */
export function schemeFor(key: KeyObject, allowed: readonly SignatureScheme[]): SignatureScheme | undefined {
  const type = key.asymmetricKeyType
  const pick = (s: SignatureScheme) => (allowed.includes(s) ? s : undefined)
  if (type === 'ed25519') return pick('ed25519')
  if (type === 'ec')
    return pick(key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'ecdsa-sha384' : 'ecdsa-sha256')
  if (type === 'rsa' || type === 'rsa-pss') return pick('rsa-pss-sha256')
  return undefined
}

/**
 * What the hub runs when a vendor key is registered: an Ed25519 PEM public key (a private key, another
 * algorithm or garbage throws `SigningError('BAD_KEY')`), answered in canonical PEM with its keyid.
 */
export function readVendorKey(pem: string): { keyid: string; publicKeyPem: string } {
  const key = parseEd25519PublicKeyPem(pem)
  return { keyid: keyIdOf(key), publicKeyPem: publicKeyPem(key) }
}
