import { describe, expect, it, onTestFinished } from 'vitest'
import { authenticateToken, signIn } from '../../src/auth/sessions.ts'
import { createUser } from '../../src/auth/users.ts'
import { createEnrollmentToken, enrollDevice, tokenUsable } from '../../src/devices/enrollment.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { tempDir } from '../helpers.ts'

async function store() {
  const s = await LowdbStore.open({ dataDir: await tempDir(), flushIntervalMs: 60_000 })
  onTestFinished(() => s.close())
  return s
}
const policy = { ttlSec: 60, maxFailures: 2, lockoutSec: 30 }

describe('sessions', () => {
  it('expire after their ttl and never store the token', async () => {
    const s = await store()
    await createUser(s, { username: 'u', password: 'password-1', role: 'operator' })
    const t0 = new Date('2026-01-01T00:00:00Z')
    const { token } = await signIn(s, policy, 'u', 'password-1', t0)
    expect(JSON.stringify(s.sessions.values())).not.toContain(token)
    expect(authenticateToken(s, token, t0.getTime() + 59_000)?.username).toBe('u')
    expect(authenticateToken(s, token, t0.getTime() + 61_000)).toBeUndefined()
  })
  it('lock an account after repeated failures, until the lockout ends', async () => {
    const s = await store()
    await createUser(s, { username: 'u', password: 'password-1', role: 'operator' })
    const t0 = new Date('2026-01-01T00:00:00Z')
    for (let i = 0; i < 2; i++)
      await expect(signIn(s, policy, 'u', 'nope', t0)).rejects.toMatchObject({
        code: 'VIGIL_BAD_CREDENTIALS',
      })
    await expect(signIn(s, policy, 'u', 'password-1', t0)).rejects.toMatchObject({ code: 'VIGIL_LOCKED_OUT' })
    const later = new Date(t0.getTime() + 31_000)
    await expect(signIn(s, policy, 'u', 'password-1', later)).resolves.toMatchObject({
      user: { username: 'u' },
    })
  })
  it('answer the same error for an unknown user as for a wrong password', async () => {
    const s = await store()
    await expect(signIn(s, policy, 'ghost', 'whatever', new Date())).rejects.toMatchObject({
      code: 'VIGIL_BAD_CREDENTIALS',
    })
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
