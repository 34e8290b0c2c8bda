import { topics } from '@vigil/protocol'
import mqtt from 'mqtt'
import { io } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { adminToken, enroll, telemetry, testHub, until } from '../helpers.ts'

describe('MQTT over WebSocket', () => {
  it('admits enrolled devices on the HTTP port beside socket.io, and only them', async () => {
    const hub = await testHub({ mqttWsPath: '/mqtt' })
    const dev = await enroll(hub)
    const url = `${hub.httpUrl.replace('http', 'ws')}/mqtt`
    const connect = (password: string) => {
      const client = mqtt.connect(url, {
        clientId: dev.deviceId,
        username: dev.deviceId,
        password,
        reconnectPeriod: 0,
      })
      onTestFinished(() => {
        client.end(true)
      })
      return new Promise<typeof client>((resolve, reject) => {
        client.once('connect', () => resolve(client))
        client.once('error', reject)
      })
    }
    await expect(connect('wrong')).rejects.toThrow(/Bad username or password/)
    const client = await connect(dev.mqtt.password)
    const socket = io(hub.httpUrl, {
      auth: { token: await adminToken(hub) },
      transports: ['websocket'],
      reconnection: false,
    })
    onTestFinished(() => {
      socket.close()
    })
    await new Promise((resolve) => socket.once('fleet:snapshot', resolve))
    // outlive engine.io's handling of foreign upgrades (it ends unanswered ones after 1 s)
    await new Promise((r) => setTimeout(r, 1200))
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(64)), {
      qos: 1,
    })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.cpuPct === 64, 'telemetry over WebSocket')
    expect(socket.connected).toBe(true)
  })
})
