/**
 * OpenPGP detached signatures of CSAF documents (CSAF 2.0 section 7.1.18), checked with openpgp.js
 * against the provider's keys as pinned at first use. A signature by any other key is refused.
 */
import * as openpgp from 'openpgp'

export interface PublicKey {
  /** Upper-case hex, no spaces. */
  fingerprint: string
  armored: string
  key: openpgp.PublicKey
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/\s+/g, '').toUpperCase()
}

/** Reads one armored (or binary) public key; answers its fingerprint. */
export async function readPublicKey(data: Buffer): Promise<PublicKey> {
  const text = data.toString('utf8')
  const key = text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')
    ? await openpgp.readKey({ armoredKey: text })
    : await openpgp.readKey({ binaryKey: new Uint8Array(data) })
  return { fingerprint: normalizeFingerprint(key.getFingerprint()), armored: key.armor(), key }
}

/** null when `signature` is a valid detached signature of `data` by one of `keys`, else why not. */
export async function verifyDetached(
  data: Buffer,
  signature: Buffer,
  keys: PublicKey[],
): Promise<string | null> {
  let sig: openpgp.Signature
  try {
    const text = signature.toString('utf8')
    sig = text.includes('-----BEGIN PGP SIGNATURE-----')
      ? await openpgp.readSignature({ armoredSignature: text })
      : await openpgp.readSignature({ binarySignature: new Uint8Array(signature) })
  } catch (err) {
    return `unreadable OpenPGP signature: ${(err as Error).message}`
  }
  const issuers = sig.getSigningKeyIDs().map((k) => k.toHex().toUpperCase())
  const known = keys.filter((k) =>
    [k.key, ...k.key.getSubkeys()].some((s) => issuers.includes(s.getKeyID().toHex().toUpperCase())),
  )
  if (known.length === 0)
    return `signed by unknown key ${issuers.join(', ') || '(none named)'}; pinned: ${keys.map((k) => k.fingerprint).join(', ')}`
  try {
    const message = await openpgp.createMessage({ binary: new Uint8Array(data) })
    const result = await openpgp.verify({
      message,
      signature: sig,
      verificationKeys: known.map((k) => k.key),
      expectSigned: true,
      format: 'binary',
    })
    await result.signatures[0]?.verified
    return null
  } catch (err) {
    return `bad OpenPGP signature: ${(err as Error).message}`
  }
}
