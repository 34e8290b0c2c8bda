import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import {
  ADMIN_PASSWORD,
  adminToken,
  birth,
  connectEnrolled,
  enroll,
  METRICS_TOKEN,
  telemetry,
  testHub,
  until,
} from '../helpers.ts'

type Hub = Awaited<ReturnType<typeof testHub>>
const call = (hub: Hub, token: string | undefined, method: string, url: string, payload?: unknown) =>
  hub.app.inject({
    method: method as 'GET',
    url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  })

async function signIn(hub: Hub, username: string, password: string) {
  const res = await call(hub, undefined, 'POST', '/api/v1/session', { username, password })
  return res.json<{ token: string }>().token
}

describe('HTTP API', () => {
  it('answers 400 naming the field for bodies that break the schema', async () => {
    const hub = await testHub()
    const res = await call(hub, undefined, 'POST', '/api/v1/session', { username: 'admin', password: 7 })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('VIGIL_BAD_REQUEST')
    expect(res.json().error.message).toMatch(/password/)
    const enroll = await call(hub, undefined, 'POST', '/api/v1/enroll', { token: 'x' })
    expect(enroll.statusCode).toBe(400)
    expect(enroll.json().error.message).toMatch(/name/)
    const junk = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    })
    expect(junk.statusCode).toBe(400)
    expect(junk.json().error.code).toBe('VIGIL_BAD_REQUEST')
  })

  it('enforces token uses and revocation', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const created = await call(hub, token, 'POST', '/api/v1/enrollment-tokens', { uses: 2, expiresIn: 3600 })
    expect(created.statusCode).toBe(201)
    const t = created.json<{ token: string; id: string }>()
    for (const name of ['a', 'b']) {
      expect(
        (await call(hub, undefined, 'POST', '/api/v1/enroll', { token: t.token, name })).statusCode,
      ).toBe(201)
    }
    const third = await call(hub, undefined, 'POST', '/api/v1/enroll', { token: t.token, name: 'c' })
    expect(third.statusCode).toBe(401)
    expect(third.json().error.code).toBe('VIGIL_TOKEN_INVALID')
    const other = (await call(hub, token, 'POST', '/api/v1/enrollment-tokens', {})).json<{
      token: string
      id: string
    }>()
    expect((await call(hub, token, 'DELETE', `/api/v1/enrollment-tokens/${other.id}`)).statusCode).toBe(204)
    expect(
      (await call(hub, undefined, 'POST', '/api/v1/enroll', { token: other.token, name: 'd' })).statusCode,
    ).toBe(401)
  })

  it('lets admins manage users and roles, and enforces roles', async () => {
    const hub = await testHub()
    const admin = await adminToken(hub)
    const created = await call(hub, admin, 'POST', '/api/v1/users', {
      username: 'olga',
      password: 'operator-pw',
      role: 'operator',
    })
    expect(created.statusCode).toBe(201)
    await call(hub, admin, 'POST', '/api/v1/users', {
      username: 'tom',
      password: 'technician',
      role: 'technician',
    })
    const dup = await call(hub, admin, 'POST', '/api/v1/users', {
      username: 'tom',
      password: 'technician',
      role: 'technician',
    })
    expect(dup.json().error.code).toBe('VIGIL_CONFLICT')
    const olga = await signIn(hub, 'olga', 'operator-pw')
    const tom = await signIn(hub, 'tom', 'technician')
    expect((await call(hub, olga, 'GET', '/api/v1/users')).statusCode).toBe(403)
    expect((await call(hub, olga, 'POST', '/api/v1/enrollment-tokens', {})).statusCode).toBe(201)
    expect((await call(hub, tom, 'POST', '/api/v1/enrollment-tokens', {})).json().error.code).toBe(
      'VIGIL_FORBIDDEN',
    )
    expect((await call(hub, tom, 'GET', '/api/v1/devices')).statusCode).toBe(200)
    const promoted = await call(hub, admin, 'PATCH', '/api/v1/users/tom', { role: 'operator' })
    expect(promoted.json().role).toBe('operator')
    expect((await call(hub, tom, 'POST', '/api/v1/enrollment-tokens', {})).statusCode).toBe(201)
    const lastAdmin = await call(hub, admin, 'PATCH', '/api/v1/users/admin', { role: 'operator' })
    expect(lastAdmin.json().error.code).toBe('VIGIL_CONFLICT')
    expect((await call(hub, admin, 'DELETE', '/api/v1/users/tom')).statusCode).toBe(204)
    expect((await call(hub, tom, 'GET', '/api/v1/devices')).statusCode).toBe(401)
    const audit = await call(hub, admin, 'GET', '/api/v1/audit?action=user')
    const actions = audit
      .json<{ entries: { action: string; target: string }[] }>()
      .entries.map((e) => `${e.action}:${e.target}`)
    expect(actions).toEqual(expect.arrayContaining(['user.create:olga', 'user.role:tom', 'user.delete:tom']))
  })

  it('slows brute-force sign-in: the address waits after repeated failures', async () => {
    const hub = await testHub({ loginMaxFailures: 3, loginLockoutSec: 600 })
    for (let i = 0; i < 3; i++) {
      expect(
        (await call(hub, undefined, 'POST', '/api/v1/session', { username: 'admin', password: `guess-${i}` }))
          .statusCode,
      ).toBe(401)
    }
    const locked = await call(hub, undefined, 'POST', '/api/v1/session', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    })
    expect(locked.statusCode).toBe(429)
    expect(locked.json().error.code).toBe('VIGIL_LOCKED_OUT')
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    // The wait is that address's, for that user: nothing is stored on the account (test/http/sign-in.test.ts).
    expect(hub.app.hub.store.users.values()[0]?.lockedUntil).toBeUndefined()
  })

  it('lists devices with paging, sort and filter; renames, deletes; serves telemetry and events', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const devs = []
    for (const name of ['charlie', 'alpha', 'bravo']) devs.push(await enroll(hub, name))
    const [charlie, alpha] = devs
    if (!charlie || !alpha) throw new Error('enroll failed')
    const client = await connectEnrolled(hub, alpha)
    await client.publishAsync(topics.device(alpha.deviceId, 'state'), JSON.stringify(birth()), {
      qos: 1,
      retain: true,
    })
    await client.publishAsync(topics.device(alpha.deviceId, 'telemetry'), JSON.stringify(telemetry(5)), {
      qos: 1,
    })
    await client.publishAsync(
      topics.device(alpha.deviceId, 'event'),
      JSON.stringify({
        v: 1,
        id: 'e1',
        ts: new Date().toISOString(),
        kind: 'drift',
        message: 'sshd_config changed',
      }),
      { qos: 1 },
    )
    await until(() => hub.app.hub.registry.get(alpha.deviceId)?.cpuPct === 5, 'telemetry')

    const page = await call(hub, token, 'GET', '/api/v1/devices?limit=2&sort=name')
    expect(page.json().total).toBe(3)
    expect(page.json().devices.map((d: { name: string }) => d.name)).toEqual(['alpha', 'bravo'])
    const desc = await call(hub, token, 'GET', '/api/v1/devices?sort=name&order=desc&offset=1')
    expect(desc.json().devices.map((d: { name: string }) => d.name)).toEqual(['bravo', 'alpha'])
    const online = await call(hub, token, 'GET', '/api/v1/devices?online=true')
    expect(online.json().devices.map((d: { name: string }) => d.name)).toEqual(['alpha'])
    const vendor = await call(hub, token, 'GET', '/api/v1/devices?vendor=Acme%20Medical&model=GW-100')
    expect(vendor.json().total).toBe(1)
    expect((await call(hub, token, 'GET', '/api/v1/devices?name=RAV')).json().devices[0].name).toBe('bravo')
    expect((await call(hub, token, 'GET', '/api/v1/devices?sort=bogus')).json().error.message).toMatch(/sort/)

    const renamed = await call(hub, token, 'PATCH', `/api/v1/devices/${charlie.deviceId}`, { name: 'delta' })
    expect(renamed.json().name).toBe('delta')
    expect((await call(hub, token, 'DELETE', `/api/v1/devices/${charlie.deviceId}`)).statusCode).toBe(204)
    expect((await call(hub, token, 'GET', `/api/v1/devices/${charlie.deviceId}`)).json().error.code).toBe(
      'VIGIL_NOT_FOUND',
    )

    const history = await call(hub, token, 'GET', `/api/v1/devices/${alpha.deviceId}/telemetry`)
    expect(history.json().telemetry).toHaveLength(1)
    const events = await until(async () => {
      const r = await call(hub, token, 'GET', `/api/v1/devices/${alpha.deviceId}/events`)
      return r.json().events.length === 1 ? r.json().events : undefined
    }, 'event stored')
    expect(events[0].event.message).toBe('sshd_config changed')
    const audit = await call(hub, token, 'GET', '/api/v1/audit?format=csv')
    expect(audit.headers['content-type']).toMatch(/text\/csv/)
    expect(audit.body.split('\r\n')[0]).toBe('ts,actor,action,target,ok,detail,ip')
    expect(audit.body).toMatch(/device\.delete/)
    expect(audit.body).toMatch(/device\.rename/)
  })

  it('serves OpenAPI, docs, health, readiness and metrics with security headers and no CORS', async () => {
    const hub = await testHub()
    const openapi = await hub.app.inject({ method: 'GET', url: '/api/openapi.json' })
    expect(openapi.json().paths['/api/v1/devices']).toBeDefined()
    expect(openapi.json().paths['/api/v1/enroll']).toBeDefined()
    expect((await hub.app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200)
    expect((await hub.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await hub.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'ready',
      broker: 'embedded',
    })
    const metrics = await hub.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(metrics.body).toMatch(/vigil_connected_devices/)
    const res = await hub.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://evil.example' },
    })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/)
    const missing = await hub.app.inject({ method: 'GET', url: '/api/v1/nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('VIGIL_NOT_FOUND')
    const spa = await hub.app.inject({ method: 'GET', url: '/devices/abc' })
    expect(spa.headers['content-type']).toMatch(/text\/html/)
  })
})
