import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { DeviceMeter } from '../../src/broker/meter.ts'
import { connectEnrolled, enroll, metric, telemetry, testHub, until } from '../helpers.ts'

describe('per-device metering (issue 14, finding 5)', () => {
  it('keeps a device’s message budget across reconnects: reconnecting does not refill it', async () => {
    const hub = await testHub({ deviceRatePerSec: 1, deviceRateBurst: 20 })
    const dev = await enroll(hub, 'reconnector')
    const first = await connectEnrolled(hub, dev)
    for (let i = 0; i < 20; i++)
      await first.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(i)), {
        qos: 1,
      })
    await first.endAsync()
    await until(() => !hub.app.hub.bus?.isConnected(dev.deviceId), 'first connection gone')

    const second = await connectEnrolled(hub, dev)
    for (let i = 0; i < 5; i++)
      second.publish(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(50 + i)), { qos: 1 })
    await until(
      async () => (await metric(hub, 'vigil_mqtt_throttled_total', { device: dev.deviceId })) >= 1,
      'the reconnected device throttled',
    )
  })

  it('counts bytes: few large messages are throttled although the message budget is far from spent', async () => {
    // The byte burst is at least the packet limit (8000 here): eight 1.7 kB messages exceed it.
    const hub = await testHub({ deviceBytesPerSec: 2000, deviceBytesBurst: 4000, maxPacketBytes: 8000 })
    const dev = await enroll(hub, 'bulky')
    const client = await connectEnrolled(hub, dev)
    const big = (n: number) =>
      JSON.stringify({
        ...telemetry(n),
        disks: [0, 1, 2].map((d) => ({ mount: `${d}${'m'.repeat(500)}`, size: 10, used: 1 })),
      })
    for (let i = 0; i < 8; i++) client.publish(topics.device(dev.deviceId, 'telemetry'), big(i), { qos: 1 })
    await until(
      async () => (await metric(hub, 'vigil_mqtt_throttled_total', { device: dev.deviceId })) >= 1,
      'throttled by bytes',
    )
    // The throttled messages are delayed, not lost.
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.cpuPct === 7, 'last message applied')
  })

  it('forgets devices idle far beyond the refill time, so memory stays bounded', () => {
    const meter = new DeviceMeter({ ratePerSec: 20, burst: 200, bytesPerSec: 1000, bytesBurst: 10_000 })
    for (let i = 0; i < 1000; i++) meter.take(`dev-${i}`, 100, 0)
    expect(meter.size).toBe(1000)
    // Still remembered a minute later (the budget survives short absences)…
    meter.take('dev-0', 100, 61_000)
    expect(meter.size).toBe(1000)
    // …and dropped after the idle time (here the 10-minute floor).
    meter.take('active', 100, 11 * 60_000)
    expect(meter.size).toBe(2)
  })
})
