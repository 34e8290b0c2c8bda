/**
 * Sign-in and sessions. A session is a random bearer token whose SHA-256 is stored; the same token is
 * set as an httpOnly cookie. Failed sign-ins count per user and lock the account for a while.
 */
import type { SessionUser } from '@vigil/protocol'
import { HubError } from '../errors.js'
import type { SessionRecord, Store, UserRecord } from '../store/types.js'
import { newSecret, sha256, verifyPassword } from './crypto.js'
import { findUser } from './users.js'

export const SESSION_COOKIE = 'vigil_session'

export interface SessionPolicy {
  ttlSec: number
  maxFailures: number
  lockoutSec: number
}

export function sessionUser(user: UserRecord): SessionUser {
  return { username: user.username, role: user.role, ...(user.vendorId ? { vendorId: user.vendorId } : {}) }
}

// A fixed hash to verify against when the user does not exist, so timing does not reveal usernames.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

export async function signIn(
  store: Store,
  policy: SessionPolicy,
  username: string,
  password: string,
  now = new Date(),
): Promise<{ token: string; user: UserRecord; session: SessionRecord }> {
  const user = findUser(store, username)
  if (user?.lockedUntil && Date.parse(user.lockedUntil) > now.getTime()) {
    const retry = Math.ceil((Date.parse(user.lockedUntil) - now.getTime()) / 1000)
    throw new HubError('VIGIL_LOCKED_OUT', `too many failed sign-ins; try again in ${retry} s`, {
      'retry-after': String(retry),
    })
  }
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)
  if (!user || !ok) {
    if (user) {
      const failures = (user.failedLogins ?? 0) + 1
      const locked = failures >= policy.maxFailures
      store.users.put({
        ...user,
        failedLogins: locked ? 0 : failures,
        ...(locked ? { lockedUntil: new Date(now.getTime() + policy.lockoutSec * 1000).toISOString() } : {}),
      })
    }
    throw new HubError('VIGIL_BAD_CREDENTIALS')
  }
  if (user.failedLogins || user.lockedUntil) {
    const cleared = { ...user, failedLogins: 0 }
    delete cleared.lockedUntil
    store.users.put(cleared)
  }
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
