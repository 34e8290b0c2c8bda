import { createServer } from 'node:net'
import { type DeviceSummary, topics } from '@vigil/protocol'
import { io } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import {
  ADMIN_PASSWORD,
  adminToken,
  birth,
  connectDevice,
  connectEnrolled,
  enroll,
  telemetry,
  tempDir,
  testHub,
  until,
} from './helpers.ts'

describe('the spine: enroll, connect, report, see it live', () => {
  it('answers 401 on the device list without a session', async () => {
    const hub = await testHub()
    const res = await hub.app.inject({ method: 'GET', url: '/api/v1/devices' })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ error: { code: 'VIGIL_UNAUTHENTICATED', message: expect.any(String) } })
  })

  it('signs in with the configured admin password, by token and by cookie', async () => {
    const hub = await testHub()
    const res = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().user).toEqual({ username: 'admin', role: 'admin' })
    const cookie = res.cookies.find((c) => c.name === 'vigil_session')
    expect(cookie?.httpOnly).toBe(true)
    const me = await hub.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      cookies: { vigil_session: cookie?.value ?? '' },
    })
    expect(me.json().user.username).toBe('admin')
    const bad = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'admin', password: 'wrong-password' },
    })
    expect(bad.statusCode).toBe(401)
    expect(bad.json().error.code).toBe('VIGIL_BAD_CREDENTIALS')
  })

  it('refuses anonymous and wrong-password MQTT connections', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    await expect(connectDevice(hub, {})).rejects.toThrow(/Bad username or password|Not authorized/i)
    await expect(
      connectDevice(hub, { username: dev.deviceId, clientId: dev.deviceId, password: 'not-the-secret' }),
    ).rejects.toThrow(/Bad username or password/i)
    await expect(
      connectDevice(hub, { username: dev.deviceId, clientId: 'someone-else', password: dev.mqtt.password }),
    ).rejects.toThrow(/Bad username or password/i)
    const ok = await connectEnrolled(hub, dev)
    expect(ok.connected).toBe(true)
  })

  it('shows an enrolled device through the API and the socket.io stream', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const socket = io(hub.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false })
    onTestFinished(() => {
      socket.close()
    })
    const seen = new Map<string, DeviceSummary>()
    socket.on('fleet:snapshot', (s) => {
      for (const d of s.devices) seen.set(d.id, d)
    })
    socket.on('fleet:delta', (d) => {
      for (const x of d.devices) seen.set(x.id, x)
    })
    await until(() => socket.connected, 'socket connected')

    const dev = await enroll(hub, 'ward-3-gateway')
    expect(dev.mqtt.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/)
    const client = await connectEnrolled(hub, dev)
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), {
      qos: 1,
      retain: true,
    })
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(42)), {
      qos: 0,
    })

    const live = await until(() => {
      const d = seen.get(dev.deviceId)
      return d?.online && d.cpuPct === 42 ? d : undefined
    }, 'device online with telemetry on the socket')
    expect(live).toMatchObject({ name: 'ward-3-gateway', hostname: 'gw-host', memUsedPct: 25 })

    const res = await hub.app.inject({
      method: 'GET',
      url: '/api/v1/devices',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().total).toBe(1)
    expect(res.json().devices[0]).toMatchObject({
      id: dev.deviceId,
      online: true,
      cpuPct: 42,
      vendor: 'Acme Medical',
    })
    const one = await hub.app.inject({
      method: 'GET',
      url: `/api/v1/devices/${dev.deviceId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(one.json().identity.hostname).toBe('gw-host')
  })

  it('fails clearly when the MQTT port is taken, leaving nothing running', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => {
      blocker.close()
    })
    const address = blocker.address()
    const port = address && typeof address === 'object' ? address.port : 0
    const dir = await tempDir()
    await expect(testHub({ mqttPort: port }, dir)).rejects.toThrow(
      /MQTT broker cannot start: listen EADDRINUSE/,
    )
    const hub = await testHub({}, dir)
    expect((await hub.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
  })

  it('refuses a socket.io connection without a session', async () => {
    const hub = await testHub()
    const socket = io(hub.httpUrl, { transports: ['websocket'], reconnection: false })
    onTestFinished(() => {
      socket.close()
    })
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve))
    expect(err.message).toBe('VIGIL_UNAUTHENTICATED')
  })
})
