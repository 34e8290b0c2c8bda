import type { DeviceSummary, FeedItem } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { adminToken, connectEnrolled, enroll, metric, testHub, until } from '../helpers.ts'

const closed = (client: { once(e: 'close', l: () => void): unknown }) =>
  new Promise<void>((resolve) => client.once('close', () => resolve()))

describe('device session take-over (issue 14, finding 8)', () => {
  it('a second connection with a device’s credentials is logged, audited, counted and shown on the device', async () => {
    const hub = await testHub()
    const dev = await enroll(hub, 'gw-victim')
    const feed: FeedItem[] = []
    hub.app.hub.events.on('feed', (item) => feed.push(item))
    const first = await connectEnrolled(hub, dev)
    const kicked = closed(first)
    await connectEnrolled(hub, dev)
    await kicked

    await until(() => feed.find((f) => f.kind === 'device-takeover'), 'feed item')
    expect(feed.find((f) => f.kind === 'device-takeover')).toMatchObject({
      deviceId: dev.deviceId,
      deviceName: 'gw-victim',
    })
    const audit = await hub.app.hub.store.audit.read({
      filter: (e) => e.action.startsWith('device.takeover'),
    })
    expect(audit).toMatchObject([{ action: 'device.takeover', target: dev.deviceId, ok: true }])
    expect(
      await metric(hub, 'vigil_mqtt_takeovers_total', { device: dev.deviceId, outcome: 'taken-over' }),
    ).toBe(1)
    const res = await hub.app.inject({
      method: 'GET',
      url: `/api/v1/devices/${dev.deviceId}`,
      headers: { authorization: `Bearer ${await adminToken(hub)}` },
    })
    const summary = res.json<DeviceSummary>()
    expect(summary.takeovers).toBe(1)
    expect(Date.parse(summary.lastTakeoverAt ?? '')).not.toBeNaN()
    // The new session is the live one.
    expect(hub.app.hub.bus?.isConnected(dev.deviceId)).toBe(true)
  })

  it('with mqttTakeover=refuse the newcomer gets CONNACK "not authorized" while the first stays connected', async () => {
    const hub = await testHub({ mqttTakeover: 'refuse' })
    const dev = await enroll(hub, 'gw-held')
    const first = await connectEnrolled(hub, dev)
    await expect(connectEnrolled(hub, dev)).rejects.toThrow(/not authorized/i)
    expect(first.connected).toBe(true)
    expect(
      await metric(hub, 'vigil_mqtt_takeovers_total', { device: dev.deviceId, outcome: 'refused' }),
    ).toBe(1)
    const audit = await hub.app.hub.store.audit.read({
      filter: (e) => e.action.startsWith('device.takeover'),
    })
    expect(audit).toMatchObject([{ action: 'device.takeover-refused', target: dev.deviceId, ok: false }])
    expect(hub.app.hub.registry.get(dev.deviceId)?.takeovers).toBe(1)

    // Once the first connection is gone, the device connects again normally.
    await first.endAsync()
    await until(() => !hub.app.hub.bus?.isConnected(dev.deviceId), 'first gone')
    const again = await connectEnrolled(hub, dev)
    expect(again.connected).toBe(true)
  })
})
