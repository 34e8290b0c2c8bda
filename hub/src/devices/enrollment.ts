/**
 * Enrollment tokens (uses, expiry, revoke) and enrollment itself: a valid token buys a device id and a
 * 256-bit MQTT secret, of which only the SHA-256 is kept.
 */

import { newId, newSecret, sha256 } from '../auth/crypto.js'
import { HubError } from '../errors.js'
import type { DeviceRecord, EnrollmentTokenRecord, Store } from '../store/types.js'

export const DEFAULT_TOKEN_TTL_SEC = 24 * 3600

export function createEnrollmentToken(
  store: Store,
  opts: { uses?: number; expiresIn?: number; note?: string; createdBy: string },
  now = new Date(),
): { token: string; record: EnrollmentTokenRecord } {
  const token = newSecret()
  const record: EnrollmentTokenRecord = {
    id: newId(),
    tokenHash: sha256(token),
    uses: opts.uses ?? 1,
    used: 0,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (opts.expiresIn ?? DEFAULT_TOKEN_TTL_SEC) * 1000).toISOString(),
    createdBy: opts.createdBy,
    revoked: false,
    ...(opts.note ? { note: opts.note } : {}),
  }
  store.tokens.put(record)
  return { token, record }
}

export function tokenUsable(record: EnrollmentTokenRecord, now = Date.now()): boolean {
  return !record.revoked && record.used < record.uses && Date.parse(record.expiresAt) > now
}

export function enrollDevice(
  store: Store,
  token: string,
  name: string,
  now = new Date(),
): { device: DeviceRecord; secret: string; tokenId: string } {
  const hash = sha256(token)
  const record = store.tokens.values().find((t) => t.tokenHash === hash)
  if (!record || !tokenUsable(record, now.getTime())) throw new HubError('VIGIL_TOKEN_INVALID')
  store.tokens.put({ ...record, used: record.used + 1 })
  const secret = newSecret()
  const device: DeviceRecord = {
    id: newId(),
    name,
    secretHash: sha256(secret),
    disabled: false,
    enrolledAt: now.toISOString(),
    lastSeen: null,
    online: false,
  }
  store.devices.put(device)
  return { device, secret, tokenId: record.id }
}

export function revokeToken(store: Store, id: string): EnrollmentTokenRecord {
  const record = store.tokens.get(id)
  if (!record) throw new HubError('VIGIL_NOT_FOUND', `no enrollment token ${id}`)
  const revoked = { ...record, revoked: true }
  store.tokens.put(revoked)
  return revoked
}
