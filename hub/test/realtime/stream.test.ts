import { type Telemetry, topics } from '@vigil/protocol'
import { io } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { adminToken, connectEnrolled, enroll, telemetry, testHub, until } from '../helpers.ts'

describe('live stream', () => {
  it('closes live connections when their session ends', async () => {
    const hub = await testHub()
    const keep = await adminToken(hub)
    const end = await adminToken(hub)
    const connect = (token: string) => {
      const socket = io(hub.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false })
      onTestFinished(() => {
        socket.close()
      })
      return new Promise<typeof socket>((resolve) => socket.once('fleet:snapshot', () => resolve(socket)))
    }
    const kept = await connect(keep)
    const ended = await connect(end)
    const closed = new Promise<string>((resolve) => ended.once('disconnect', resolve))
    const res = await hub.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${end}` },
    })
    expect(res.statusCode).toBe(204)
    expect(await closed).toBe('io server disconnect')
    expect(kept.connected).toBe(true)
  })

  it('refuses the fleet stream to vendor accounts', async () => {
    const hub = await testHub()
    const admin = await adminToken(hub)
    const created = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${admin}` },
      payload: { username: 'acme', password: 'vendor password 123', role: 'vendor' },
    })
    expect(created.statusCode).toBe(201)
    const session = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'acme', password: 'vendor password 123' },
    })
    const token = session.json<{ token: string }>().token
    const socket = io(hub.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false })
    onTestFinished(() => {
      socket.close()
    })
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve))
    expect(error.message).toBe('VIGIL_FORBIDDEN')
  })

  it('streams telemetry of subscribed devices, with history on subscribe, authenticated by cookie', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(1)), {
      qos: 1,
    })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.cpuPct === 1, 'first sample')

    const socket = io(hub.httpUrl, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: `vigil_session=${token}` },
    })
    onTestFinished(() => {
      socket.close()
    })
    const snapshot = await new Promise<{ devices: { id: string }[] }>((resolve) =>
      socket.once('fleet:snapshot', resolve),
    )
    expect(snapshot.devices.map((d) => d.id)).toEqual([dev.deviceId])
    const unknown = await socket.emitWithAck('device:subscribe', 'nope')
    expect(unknown).toMatchObject({ ok: false, error: { code: 'VIGIL_NOT_FOUND' } })
    const ack = await socket.emitWithAck('device:subscribe', dev.deviceId)
    expect(ack.ok && ack.data.telemetry.map((t: Telemetry) => t.cpu.loadPct)).toEqual([1])

    const samples: number[] = []
    socket.on('device:telemetry', (s) => samples.push(s.telemetry.cpu.loadPct))
    const feed: string[] = []
    socket.on('feed:item', (item) => feed.push(item.kind))
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(2)), {
      qos: 1,
    })
    await until(() => samples.includes(2), 'live telemetry')
    socket.emit('device:unsubscribe', dev.deviceId)
    await enroll(hub, 'another')
    await until(() => feed.includes('device-enrolled'), 'feed item')
  })
})
