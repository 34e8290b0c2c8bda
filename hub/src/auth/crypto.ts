/**
 * Secrets and their hashes. User passwords: scrypt (slow on purpose). Device MQTT secrets, session and
 * enrollment tokens: 256-bit random values hashed with SHA-256 (fast: thousands of devices reconnect at
 * once, and a 256-bit secret cannot be guessed anyway). Every comparison is constant-time.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

/** `scrypt$N$r$p$<salt b64>$<hash b64>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$')
  if (kind !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(
      password,
      Buffer.from(salt, 'base64'),
      expected.length,
      { N: Number(n), r: Number(r), p: Number(p) },
      (err, k) => (err ? reject(err) : resolve(k)),
    )
  })
  return key.length === expected.length && timingSafeEqual(key, expected)
}

/**
 * `bytes` random bytes as base64url that never start with '-': a command line would read such a value
 * as an option (`--token -Xy…` is refused by parseArgs), and 1 in 64 draws would. Drawn again then, so
 * every other value stays as likely as before. Values made earlier (some begin with '-') stay valid:
 * they are checked by their hash, whatever their first character.
 */
export function randomToken(bytes: number, draw: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const value = draw(bytes).toString('base64url')
    if (!value.startsWith('-')) return value
  }
}

/** A 256-bit random secret (API, session and enrollment tokens, device secrets), base64url. */
export function newSecret(): string {
  return randomToken(32)
}

/** A short random id (device ids, token ids): 128 bits, base64url, valid as an MQTT topic level. */
export function newId(): string {
  return randomToken(16)
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Constant-time check of a presented secret against its stored SHA-256. */
export function secretMatches(presented: string | Buffer, storedHash: string): boolean {
  const a = Buffer.from(sha256(presented), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

export function generatePassword(): string {
  return randomToken(15)
}
