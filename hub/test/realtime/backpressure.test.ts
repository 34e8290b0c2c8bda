/**
 * Issue 12, fault test (h): a dashboard client that stops reading is disconnected once what waits for
 * it passes the bound, instead of growing the hub's memory; a client that reads is not.
 */
import { type Telemetry, topics } from '@vigil/protocol'
import { io, type Socket } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { adminToken, connectEnrolled, enroll, metric, telemetry, testHub, until } from '../helpers.ts'

/** A telemetry sample near the 64 KB message limit (64 disks with long mount points). */
function bigSample(i: number): Telemetry {
  return {
    ...telemetry(i % 100),
    disks: Array.from({ length: 64 }, (_, d) => ({
      mount: `/mnt/${String(d).padStart(500, 'x')}`,
      size: 1e12,
      used: i,
    })),
  }
}

async function subscribed(url: string, token: string, deviceId: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false })
  onTestFinished(() => {
    socket.close()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  await socket.emitWithAck('device:subscribe', deviceId)
  return socket
}

describe('bounded send queue per dashboard client', () => {
  it('drops a client that does not read, keeps one that does', async () => {
    const hub = await testHub({
      deviceRatePerSec: 100_000,
      deviceRateBurst: 100_000,
      socketMaxQueuedBytes: 256 * 1024,
    })
    const token = await adminToken(hub)
    const dev = await enroll(hub)
    const device = await connectEnrolled(hub, dev)
    const reader = await subscribed(hub.httpUrl, token, dev.deviceId)
    let read = 0
    reader.on('device:telemetry', () => {
      read++
    })
    const stalled = await subscribed(hub.httpUrl, token, dev.deviceId)
    // Stop reading from the socket: the kernel's buffers fill, then the hub's.
    const engine = stalled.io.engine as unknown as { transport: { ws?: { _socket?: { pause(): void } } } }
    engine.transport.ws?._socket?.pause()
    let dropped = false
    for (let i = 0; i < 600 && !dropped; i++) {
      device.publish(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(bigSample(i)), { qos: 0 })
      if (i % 50 === 49) {
        await new Promise((r) => setTimeout(r, 20))
        dropped = (await metric(hub, 'vigil_dashboard_clients_dropped_total')) === 1
      }
    }
    await until(
      async () => (await metric(hub, 'vigil_dashboard_clients_dropped_total')) === 1,
      'stalled client dropped',
    )
    expect(hub.app.hub.registry.get(dev.deviceId)).toBeDefined()
    await until(() => read >= 100, 'the reading client keeps receiving')
    expect(reader.connected).toBe(true)
  })
})
