/**
 * Sign-in and sessions. A session is a random bearer token whose SHA-256 is stored; the same token is
 * set as an httpOnly cookie. Failed sign-ins are slowed down per user and address by the caller
 * (`http/sign-in-backoff.ts`), never by a lock stored on the account.
 */
import type { SessionUser } from '@vigil/protocol'
import { HubError } from '../errors.js'
import type { SessionRecord, Store, UserRecord } from '../store/types.js'
import { newSecret, sha256, verifyPassword } from './crypto.js'
import { findUser } from './users.js'

export const SESSION_COOKIE = 'vigil_session'

export interface SessionPolicy {
  ttlSec: number
  /** Called once per attempt when the password hash has been computed (counted in /metrics). */
  onPasswordCheck?: () => void
}

export function sessionUser(user: UserRecord): SessionUser {
  return { username: user.username, role: user.role, ...(user.vendorId ? { vendorId: user.vendorId } : {}) }
}

// A hash with the same scrypt parameters as real ones: verified instead when the user does not exist,
// has no password (vendor token users) or must wait, so the work and the answer are the same.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

/**
 * Checks a password and opens a session. `waitSec` > 0 (the caller's backoff for this user and address)
 * refuses with VIGIL_LOCKED_OUT after the same password work as any other attempt. Wrong password and
 * unknown user answer the same VIGIL_BAD_CREDENTIALS.
 */
export async function signIn(
  store: Store,
  policy: SessionPolicy,
  attempt: { username: string; password: string; waitSec: number },
  now = new Date(),
): Promise<{ token: string; user: UserRecord; session: SessionRecord }> {
  const user = findUser(store, attempt.username)
  const hasPassword = user?.passwordHash.startsWith('scrypt$') === true
  const ok = await verifyPassword(attempt.password, hasPassword && user ? user.passwordHash : DUMMY_HASH)
  policy.onPasswordCheck?.()
  if (attempt.waitSec > 0) {
    throw new HubError('VIGIL_LOCKED_OUT', `too many failed sign-ins; try again in ${attempt.waitSec} s`, {
      'retry-after': String(attempt.waitSec),
    })
  }
  if (!user || !hasPassword || !ok) throw new HubError('VIGIL_BAD_CREDENTIALS')
  const token = newSecret()
  const session: SessionRecord = {
    id: sha256(token),
    userId: user.id,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + policy.ttlSec * 1000).toISOString(),
  }
  store.sessions.put(session)
  return { token, user, session }
}

/** The user behind a token, or undefined (unknown, expired, or the user is gone). */
export function authenticateToken(store: Store, token: string, now = Date.now()): UserRecord | undefined {
  const session = store.sessions.get(sha256(token))
  if (!session) return undefined
  if (Date.parse(session.expiresAt) <= now) {
    store.sessions.delete(session.id)
    return undefined
  }
  return store.users.get(session.userId)
}

export function signOut(store: Store, token: string): void {
  store.sessions.delete(sha256(token))
}
