/**
 * Issue #14, finding 9: the smaller gaps. /metrics needs its bearer token; HTTPS with HSTS and Secure
 * cookies when a certificate is set (or behind a trusted proxy); plaintext MQTT closed next to TLS unless
 * asked for; names refuse control and bidi characters; the enrollment's MQTT URL never comes from Host;
 * the live stream checks Origin; source maps are neither built nor served.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { io } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { resolveDashboardDir } from '../../src/http/dashboard.ts'
import type { RunningHub } from '../../src/server.ts'
import { selfSignedCertificate } from '../certificates.ts'
import { ADMIN_PASSWORD, adminToken, enroll, METRICS_TOKEN, tempDir, testHub } from '../helpers.ts'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

describe('smaller gaps (issue #14 finding 9)', () => {
  it('/metrics answers only its bearer token or an admin session', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const get = (headers: Record<string, string> = {}) =>
      hub.app.inject({ method: 'GET', url: '/metrics', headers })
    expect((await get()).statusCode).toBe(401)
    expect((await get(auth('wrong-token-0123456789abc'))).statusCode).toBe(401)
    const ok = await get(auth(METRICS_TOKEN))
    expect(ok.statusCode).toBe(200)
    expect(ok.body).toMatch(/vigil_connected_devices/)
    const admin = await adminToken(hub)
    expect((await get(auth(admin))).statusCode).toBe(200)
    await hub.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(admin),
      payload: { username: 'tech', password: 'technician 12345', role: 'technician' },
    })
    const tech = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'tech', password: 'technician 12345' },
    })
    expect((await get(auth(tech.json().token))).statusCode).toBe(403)
  })

  it('serves HTTPS with HSTS and Secure cookies when a certificate is set; MQTT only over TLS', async () => {
    const { cert, key } = await selfSignedCertificate()
    const hub = await testHub({ tlsCert: cert, tlsKey: key, mqttTlsPort: 0, adminPassword: ADMIN_PASSWORD })
    expect(hub.httpUrl).toMatch(/^https:\/\//)
    const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
      (resolve, reject) => {
        const req = request(
          `${hub.httpUrl}/api/v1/session`,
          { method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' } },
          (r) => {
            r.resume()
            resolve({ status: r.statusCode ?? 0, headers: r.headers })
          },
        )
        req.on('error', reject)
        req.end(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }))
      },
    )
    expect(res.status).toBe(200)
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/)
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/)
    // Plaintext MQTT is closed beside TLS, and devices are told the TLS URL.
    const ports = hub.app.hub.bus?.ports()
    expect(ports?.mqtt).toBeUndefined()
    expect(ports?.mqtts).toBeGreaterThan(0)
    const dev = await enroll(hub)
    expect(dev.mqtt.url).toBe(`mqtts://127.0.0.1:${ports?.mqtts}`)
  })

  it('keeps plaintext MQTT beside TLS only when explicitly enabled', async () => {
    const { cert, key } = await selfSignedCertificate()
    const hub = await testHub({ tlsCert: cert, tlsKey: key, mqttTlsPort: 0, mqttPlaintext: true })
    expect(hub.app.hub.bus?.ports().mqtt).toBeGreaterThan(0)
  })

  it('trusts X-Forwarded-Proto only from a configured proxy', async () => {
    const signIn = (hub: RunningHub) =>
      hub.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: '10.9.8.7',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' },
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      })
    const direct = await signIn(await testHub({ adminPassword: ADMIN_PASSWORD }))
    expect(String(direct.headers['set-cookie'])).not.toMatch(/Secure/)
    expect(direct.headers['strict-transport-security']).toBeUndefined()
    const proxied = await testHub({ adminPassword: ADMIN_PASSWORD, trustProxy: '10.9.8.7' })
    const behind = await signIn(proxied)
    expect(String(behind.headers['set-cookie'])).toMatch(/; Secure/)
    expect(behind.headers['strict-transport-security']).toMatch(/^max-age=/)
    const entries = await proxied.app.hub.store.audit.read({ filter: (e) => e.action === 'session.create' })
    expect(entries[0]?.ip).toBe('203.0.113.5')
  })

  it('refuses control and bidi characters in names', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const admin = auth(await adminToken(hub))
    const token = async () =>
      (
        await hub.app.inject({
          method: 'POST',
          url: '/api/v1/enrollment-tokens',
          headers: admin,
          payload: {},
        })
      ).json<{ token: string }>().token
    const dev = await enroll(hub, 'Gerät Süd-1 ✓')
    const bad = [
      'nul\u0000x',
      'esc\u001b[31m',
      'cr\r\nlf',
      'del\u007f',
      'c1\u0085',
      'lrm\u200e',
      'rlo\u202egnp.exe',
      'fsi\u2068x',
      '   ',
    ]
    for (const name of bad) {
      const e = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { token: await token(), name },
      })
      expect(e.statusCode, JSON.stringify(name)).toBe(400)
      const p = await hub.app.inject({
        method: 'PATCH',
        url: `/api/v1/devices/${dev.deviceId}`,
        headers: admin,
        payload: { name },
      })
      expect(p.statusCode, JSON.stringify(name)).toBe(400)
      const v = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/vendors',
        headers: admin,
        payload: { name },
      })
      expect(v.statusCode, JSON.stringify(name)).toBe(400)
      const g = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/governance/groups',
        headers: admin,
        payload: { name, owner: 'ops', deviceIds: [] },
      })
      expect(g.statusCode, JSON.stringify(name)).toBe(400)
      const b = await hub.app.inject({
        method: 'PUT',
        url: '/api/v1/baselines',
        headers: admin,
        payload: {
          v: 1,
          id: 'base',
          version: 1,
          name,
          checks: [{ id: 'c1', title: 'ssh', severity: 'high', kind: 'empty-passwords' }],
        },
      })
      expect(b.statusCode, JSON.stringify(name)).toBe(400)
    }
    // The same requests with a printable name pass (so the refusals above were the name's).
    const good = 'Station 3 – Süd'
    const baseline = {
      v: 1,
      id: 'base',
      version: 1,
      name: good,
      checks: [{ id: 'c1', title: 'ssh', severity: 'high', kind: 'empty-passwords' }],
    }
    expect(
      (await hub.app.inject({ method: 'PUT', url: '/api/v1/baselines', headers: admin, payload: baseline }))
        .statusCode,
    ).toBe(200)
    expect(
      (
        await hub.app.inject({
          method: 'POST',
          url: '/api/v1/governance/groups',
          headers: admin,
          payload: { name: good, owner: 'ops', deviceIds: [] },
        })
      ).statusCode,
    ).toBeLessThan(300)
    expect(
      (
        await hub.app.inject({
          method: 'POST',
          url: '/api/v1/vendors',
          headers: admin,
          payload: { name: good },
        })
      ).statusCode,
    ).toBe(201)
    expect(
      (
        await hub.app.inject({
          method: 'PATCH',
          url: `/api/v1/devices/${dev.deviceId}`,
          headers: admin,
          payload: { name: 'Gerät Süd-1 ✓' },
        })
      ).statusCode,
    ).toBe(200)
    const devices = hub.app.hub.registry.all()
    expect(devices.map((d) => d.name)).toEqual(['Gerät Süd-1 ✓'])
  })

  it('builds the enrollment MQTT URL from configuration, never from the Host header', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const admin = auth(await adminToken(hub))
    const enrollAs = async (target: RunningHub, host: string) => {
      const t = await target.app.inject({
        method: 'POST',
        url: '/api/v1/enrollment-tokens',
        headers: auth(await adminToken(target)),
        payload: {},
      })
      const r = await target.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        headers: { host },
        payload: { token: t.json().token, name: 'gw' },
      })
      return r.json<{ mqtt: { url: string } }>().mqtt.url
    }
    expect(admin).toBeDefined()
    const port = hub.app.hub.bus?.ports().mqtt
    expect(await enrollAs(hub, 'attacker.example:1')).toBe(`mqtt://127.0.0.1:${port}`)
    const pub = await testHub({
      adminPassword: ADMIN_PASSWORD,
      mqttPublicUrl: 'mqtts://mqtt.hospital.example:8883',
    })
    expect(await enrollAs(pub, 'attacker.example')).toBe('mqtts://mqtt.hospital.example:8883')
  })

  it('opens the live stream only from the same origin or a configured one', async () => {
    const hub = await testHub({
      adminPassword: ADMIN_PASSWORD,
      allowedOrigins: 'https://dash.hospital.example',
    })
    const token = await adminToken(hub)
    const attempt = (origin: string) => {
      const socket = io(hub.httpUrl, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { origin },
      })
      onTestFinished(() => {
        socket.close()
      })
      return new Promise<string>((resolve) => {
        socket.once('fleet:snapshot', () => resolve('connected'))
        socket.once('connect_error', () => resolve('refused'))
      })
    }
    expect(await attempt('https://evil.example')).toBe('refused')
    expect(await attempt('null')).toBe('refused')
    expect(await attempt(new URL(hub.httpUrl).origin)).toBe('connected')
    expect(await attempt('https://dash.hospital.example')).toBe('connected')
  })

  it('never serves source maps, and the dashboard build has none', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>x</title>')
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map')
    await writeFile(join(dir, 'assets', 'app.js.map'), '{"version":3,"sources":["secret.ts"]}')
    const hub = await testHub({ dashboardDir: dir })
    expect((await hub.app.inject({ method: 'GET', url: '/assets/app.js' })).statusCode).toBe(200)
    const map = await hub.app.inject({ method: 'GET', url: '/assets/app.js.map' })
    expect(map.statusCode).toBe(404)
    expect(map.body).not.toContain('secret.ts')
    const built = resolveDashboardDir(undefined)
    if (built) {
      const files = readdirSync(built, { recursive: true }).map(String)
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
    }
  })
})
