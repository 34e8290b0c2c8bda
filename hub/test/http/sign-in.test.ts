/**
 * Issue #14, finding 7: a stranger cannot lock out the real user; the answers do not tell an existing,
 * missing or waiting account apart and every attempt does the password work; enrollment is rate-limited;
 * unauthenticated failures reach the audit log as one entry per address and window, with a count.
 */
import { describe, expect, it } from 'vitest'
import type { RunningHub } from '../../src/server.ts'
import { ADMIN_PASSWORD, adminToken, metric, tempDir, testHub } from '../helpers.ts'

const STRANGER = '203.0.113.66'
const OFFICE = '198.51.100.7'

const signIn = (hub: RunningHub, username: string, password: string, ip: string) =>
  hub.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    remoteAddress: ip,
    payload: { username, password },
  })

describe('sign-in backoff and failure audit (issue #14 finding 7)', () => {
  it('a stranger failing as admin from one address does not lock admin out from another', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD, loginMaxFailures: 5 })
    for (let i = 0; i < 12; i++) await signIn(hub, 'admin', `guess-${i}`, STRANGER)
    // The stranger's own address now waits, even with the right password…
    expect((await signIn(hub, 'admin', ADMIN_PASSWORD, STRANGER)).statusCode).toBe(429)
    // …the real admin, elsewhere, is not affected.
    const real = await signIn(hub, 'admin', ADMIN_PASSWORD, OFFICE)
    expect(real.statusCode).toBe(200)
  })

  it('answers the same, after the same password work, for existing, missing and waiting accounts', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD, loginMaxFailures: 3 })
    const answers = async (username: string) => {
      const out: string[] = []
      for (let i = 0; i < 5; i++) {
        const r = await signIn(hub, username, 'wrong password', STRANGER)
        out.push(`${r.statusCode} ${r.body}`)
      }
      return out
    }
    const before = await metric(hub, 'vigil_sign_in_password_checks_total')
    const existing = await answers('admin')
    const missing = await answers('nobody-here')
    expect(existing).toEqual(missing)
    expect(existing[0]).toMatch(/^401 .*VIGIL_BAD_CREDENTIALS/)
    expect(existing[4]).toMatch(/^429 .*VIGIL_LOCKED_OUT/)
    // Every attempt computed a hash: waiting and missing accounts included.
    expect((await metric(hub, 'vigil_sign_in_password_checks_total')) - before).toBe(10)
    // No lock is stored on the account.
    expect(hub.app.hub.store.users.values().every((u) => u.lockedUntil === undefined)).toBe(true)
  })

  it('rate-limits enrollment per address', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD, enrollAttemptsPerMin: 3 })
    const enroll = (ip: string) =>
      hub.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        remoteAddress: ip,
        payload: { token: 'not-a-token', name: 'gw' },
      })
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await enroll(STRANGER)).statusCode)
    expect(codes).toEqual([401, 401, 401, 429, 429])
    expect((await enroll(OFFICE)).statusCode).toBe(401)
  })

  it('aggregates unauthenticated failures: one audit entry per address and window, with a count', async () => {
    const dir = await tempDir()
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD, loginMaxFailures: 100 }, dir)
    for (let i = 0; i < 20; i++) await signIn(hub, `user${i % 3}`, 'nope', STRANGER)
    for (let i = 0; i < 4; i++) await signIn(hub, 'admin', 'nope', OFFICE)
    for (let i = 0; i < 7; i++)
      await hub.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        remoteAddress: STRANGER,
        payload: { token: 'bad', name: 'gw' },
      })
    await hub.close()
    const again = await testHub({ adminPassword: ADMIN_PASSWORD }, dir)
    const res = await again.app.inject({
      method: 'GET',
      url: '/api/v1/audit?limit=1000',
      headers: { authorization: `Bearer ${await adminToken(again)}` },
    })
    const failed = res
      .json<{ entries: { action: string; ok: boolean; ip?: string; detail?: string }[] }>()
      .entries.filter((e) => !e.ok)
    expect(failed.map((e) => `${e.action} ${e.ip}`).sort()).toEqual([
      `device.enroll ${STRANGER}`,
      `session.create ${OFFICE}`,
      `session.create ${STRANGER}`,
    ])
    const detail = (action: string, ip: string) =>
      failed.find((e) => e.action === action && e.ip === ip)?.detail
    expect(detail('session.create', STRANGER)).toMatch(
      /^20 failures since .* \(tried: user0, user1, user2\)$/,
    )
    expect(detail('session.create', OFFICE)).toMatch(/^4 failures since /)
    expect(detail('device.enroll', STRANGER)).toMatch(/^7 failures since /)
  })
})
