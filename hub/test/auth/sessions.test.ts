import { describe, expect, it, onTestFinished } from 'vitest'
import { authenticateToken, signIn } from '../../src/auth/sessions.ts'
import { createUser } from '../../src/auth/users.ts'
import { createEnrollmentToken, enrollDevice, tokenUsable } from '../../src/devices/enrollment.ts'
import { SignInBackoff } from '../../src/http/sign-in-backoff.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { tempDir } from '../helpers.ts'

async function store() {
  const s = await LowdbStore.open({ dataDir: await tempDir(), flushIntervalMs: 60_000 })
  onTestFinished(() => s.close())
  return s
}
const policy = { ttlSec: 60 }

describe('sessions', () => {
  it('expire after their ttl and never store the token', async () => {
    const s = await store()
    await createUser(s, { username: 'u', password: 'password-1', role: 'operator' })
    const t0 = new Date('2026-01-01T00:00:00Z')
    const { token } = await signIn(s, policy, { username: 'u', password: 'password-1', waitSec: 0 }, t0)
    expect(JSON.stringify(s.sessions.values())).not.toContain(token)
    expect(authenticateToken(s, token, t0.getTime() + 59_000)?.username).toBe('u')
    expect(authenticateToken(s, token, t0.getTime() + 61_000)).toBeUndefined()
  })
  it('refuse a pair that must wait, after the same password work, and never store a lock', async () => {
    const s = await store()
    await createUser(s, { username: 'u', password: 'password-1', role: 'operator' })
    let checks = 0
    const counted = { ttlSec: 60, onPasswordCheck: () => checks++ }
    for (const username of ['u', 'ghost']) {
      await expect(
        signIn(s, counted, { username, password: 'password-1', waitSec: 5 }),
      ).rejects.toMatchObject({
        code: 'VIGIL_LOCKED_OUT',
        message: 'too many failed sign-ins; try again in 5 s',
      })
    }
    expect(checks).toBe(2)
    expect(s.users.values().every((u) => u.lockedUntil === undefined)).toBe(true)
  })
  it('answer the same error for an unknown user, a password-less user and a wrong password', async () => {
    const s = await store()
    await createUser(s, { username: 'u', password: 'password-1', role: 'operator' })
    s.users.put({
      id: 'v',
      username: 'vendor:x',
      role: 'vendor',
      passwordHash: '!vendor-token-only',
      createdAt: '',
    })
    let checks = 0
    const counted = { ttlSec: 60, onPasswordCheck: () => checks++ }
    for (const username of ['ghost', 'vendor:x', 'u'])
      await expect(signIn(s, counted, { username, password: 'whatever', waitSec: 0 })).rejects.toMatchObject({
        code: 'VIGIL_BAD_CREDENTIALS',
      })
    expect(checks).toBe(3)
  })
})

describe('sign-in backoff', () => {
  it('makes a user and address pair wait, doubling, and leaves other addresses alone', () => {
    const b = new SignInBackoff(3, 10_000)
    const t0 = 1_000_000
    for (let i = 0; i < 2; i++) b.failed('Admin', '10.0.0.66', t0)
    expect(b.waitSec('admin', '10.0.0.66', t0)).toBe(0)
    b.failed('admin', '10.0.0.66', t0)
    expect(b.waitSec('admin', '10.0.0.66', t0)).toBe(10)
    expect(b.waitSec('admin', '10.0.0.1', t0)).toBe(0)
    b.failed('admin', '10.0.0.66', t0 + 11_000)
    expect(b.waitSec('admin', '10.0.0.66', t0 + 11_000)).toBe(20)
    b.succeeded('admin', '10.0.0.66')
    expect(b.waitSec('admin', '10.0.0.66', t0 + 11_000)).toBe(0)
  })
})

describe('enrollment tokens', () => {
  it('expire, run out of uses, and issue hashed device secrets', async () => {
    const s = await store()
    const t0 = new Date('2026-01-01T00:00:00Z')
    const { token, record } = createEnrollmentToken(s, { uses: 1, expiresIn: 60, createdBy: 'x' }, t0)
    expect(tokenUsable(record, t0.getTime() + 61_000)).toBe(false)
    expect(() => enrollDevice(s, token, 'late', new Date(t0.getTime() + 61_000))).toThrow(/expired|unknown/)
    const { device, secret } = enrollDevice(s, token, 'gw', t0)
    expect(device.secretHash).not.toContain(secret)
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(() => enrollDevice(s, token, 'again', t0)).toThrow()
  })
})
