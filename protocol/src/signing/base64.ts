/**
 * Strict base64 (RFC 4648 §4 standard or §5 URL-safe alphabet, as DSSE allows). Anything a lenient
 * decoder would silently skip or truncate — whitespace, mixed alphabets, bad padding, non-zero
 * trailing bits — is refused, so two different strings never decode to the same bytes.
 */
const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/

/** Decodes `text` or answers `undefined` when it is not canonical base64. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const urlSafe = !STANDARD.test(text)
  if (urlSafe && !URL_SAFE.test(text)) return undefined
  const body = text.replace(/=+$/, '')
  const padding = text.length - body.length
  if (body.length % 4 === 1) return undefined
  if (padding > 0 && text.length % 4 !== 0) return undefined
  const bytes = Buffer.from(body, urlSafe ? 'base64url' : 'base64')
  // Re-encoding must give the same characters back: rejects non-zero trailing bits.
  const again = bytes.toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '')
  if (again !== body) return undefined
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
