/** Users and roles. Passwords are scrypt hashes; the first start creates `admin`. */
import type { Role } from '@vigil/protocol'
import { HubError } from '../errors.js'
import type { Store, UserRecord } from '../store/types.js'
import { generatePassword, hashPassword, newId } from './crypto.js'

export const USERNAME = /^[A-Za-z0-9_.@-]{1,128}$/

export async function createUser(
  store: Store,
  input: { username: string; password: string; role: Role; vendorId?: string },
): Promise<UserRecord> {
  if (!USERNAME.test(input.username)) {
    throw new HubError('VIGIL_BAD_REQUEST', '/username: use letters, digits and _ . @ - (at most 128)')
  }
  if (input.password.length < 8) throw new HubError('VIGIL_BAD_REQUEST', '/password: at least 8 characters')
  if (findUser(store, input.username)) {
    throw new HubError('VIGIL_CONFLICT', `user ${input.username} already exists`)
  }
  const user: UserRecord = {
    id: newId(),
    username: input.username,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    createdAt: new Date().toISOString(),
    ...(input.vendorId ? { vendorId: input.vendorId } : {}),
  }
  store.users.put(user)
  return user
}

export function findUser(store: Store, username: string): UserRecord | undefined {
  return store.users.values().find((u) => u.username === username)
}

export async function setPassword(store: Store, username: string, password: string): Promise<UserRecord> {
  const user = findUser(store, username)
  if (!user) throw new HubError('VIGIL_NOT_FOUND', `no user ${username}`)
  if (password.length < 8) throw new HubError('VIGIL_BAD_REQUEST', '/password: at least 8 characters')
  const updated: UserRecord = { ...user, passwordHash: await hashPassword(password), failedLogins: 0 }
  delete updated.lockedUntil
  store.users.put(updated)
  return updated
}

export function setRole(store: Store, username: string, role: Role): UserRecord {
  const user = findUser(store, username)
  if (!user) throw new HubError('VIGIL_NOT_FOUND', `no user ${username}`)
  const updated = { ...user, role }
  store.users.put(updated)
  return updated
}

/**
 * Creates `admin` on the first start. Answers the generated password when none was configured, so the
 * caller prints it once; `undefined` when admin already existed or the password came from the config.
 */
export async function ensureAdmin(
  store: Store,
  configured: string | undefined,
): Promise<{ created: boolean; generatedPassword?: string }> {
  if (findUser(store, 'admin')) return { created: false }
  const password = configured ?? generatePassword()
  await createUser(store, { username: 'admin', password, role: 'admin' })
  return configured ? { created: true } : { created: true, generatedPassword: password }
}
