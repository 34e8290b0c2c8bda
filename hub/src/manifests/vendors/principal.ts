/**
 * A vendor's API token is a long-lived session of a `vendor` user bound to the vendor, so the hub's one
 * authentication path (`Authorization: Bearer …`) recognises it with role `vendor` and its `vendorId`.
 * The user has no usable password: it cannot sign in, only present its token.
 */
import { randomUUID } from 'node:crypto'
import { newSecret, sha256 } from '../../auth/crypto.js'
import type { Store } from '../../store/types.js'

const TOKEN_TTL_MS = 10 * 365 * 86_400_000

export function createVendorUser(store: Store, vendorId: string, now = new Date()): string {
  const id = randomUUID()
  store.users.put({
    id,
    username: `vendor:${vendorId}`,
    role: 'vendor',
    vendorId,
    passwordHash: '!vendor-token-only',
    createdAt: now.toISOString(),
  })
  return id
}

/** Issues a new token for the vendor user, revoking every earlier one. Answers the token (shown once). */
export function issueVendorToken(store: Store, userId: string, now = new Date()): string {
  for (const s of store.sessions.values()) if (s.userId === userId) store.sessions.delete(s.id)
  const token = newSecret()
  store.sessions.put({
    id: sha256(token),
    userId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + TOKEN_TTL_MS).toISOString(),
  })
  return token
}
