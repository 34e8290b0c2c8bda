import type { Socket } from 'node:net'
import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { connectEnrolled, enroll, testHub, until } from '../helpers.ts'

describe('drain timeout', () => {
  it('drops a frozen subscriber instead of stalling delivery to the others', async () => {
    const hub = await testHub({ drainTimeoutMs: 2000 })
    const frozen = await enroll(hub, 'frozen')
    const healthy = await enroll(hub, 'healthy')
    const clientFrozen = await connectEnrolled(hub, frozen)
    const clientHealthy = await connectEnrolled(hub, healthy)
    await clientFrozen.subscribeAsync(topics.command(frozen.deviceId))
    await clientHealthy.subscribeAsync(topics.command(healthy.deviceId))
    let received = 0
    clientHealthy.on('message', () => received++)
    // the frozen device stops reading from its socket
    ;(clientFrozen.stream as Socket).pause()
    const bus = hub.app.hub.bus
    if (!bus) throw new Error('no broker')
    const payload = 'x'.repeat(256 * 1024)
    const N = 80
    // the same messages to both devices' command topics: one broker delivers to both sockets
    await Promise.all(
      [frozen, healthy].flatMap((d) =>
        Array.from({ length: N }, () =>
          bus.publish(topics.command(d.deviceId), payload, { qos: 0, retain: false }),
        ),
      ),
    )
    await until(() => received === N, 'healthy subscriber got everything')
    await until(() => bus.isConnected(frozen.deviceId) === false, 'frozen subscriber dropped')
    expect(bus.isConnected(healthy.deviceId)).toBe(true)
  })
})
