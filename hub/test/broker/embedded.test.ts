import { type Inventory, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { inventoryContentHash } from '../../src/ingest/content-hash.ts'
import {
  adminToken,
  birth,
  connectDevice,
  connectEnrolled,
  enroll,
  metric,
  telemetry,
  testHub,
  until,
} from '../helpers.ts'

const closed = (client: { once(e: 'close', l: () => void): unknown }) =>
  new Promise<void>((resolve) => client.once('close', () => resolve()))

describe('embedded broker: bad input and faults with real MQTT clients', () => {
  it('disconnects a device publishing under another device’s topic; the other is unchanged', async () => {
    const hub = await testHub()
    const a = await enroll(hub, 'a')
    const b = await enroll(hub, 'b')
    const clientB = await connectEnrolled(hub, b)
    await clientB.publishAsync(topics.device(b.deviceId, 'telemetry'), JSON.stringify(telemetry(10)))
    await until(() => hub.app.hub.registry.get(b.deviceId)?.cpuPct === 10, 'b telemetry')

    const clientA = await connectEnrolled(hub, a)
    const gone = closed(clientA)
    clientA.publish(topics.device(b.deviceId, 'telemetry'), JSON.stringify(telemetry(99)), { qos: 1 })
    await gone
    expect(
      await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'foreign-topic', device: a.deviceId }),
    ).toBe(1)
    expect(hub.app.hub.registry.get(b.deviceId)?.cpuPct).toBe(10)
  })

  it('rejects and counts malformed JSON, schema violations, oversize payloads and unknown kinds, and keeps serving', async () => {
    const hub = await testHub()
    const bad = await enroll(hub, 'bad')
    const good = await enroll(hub, 'good')
    const clientBad = await connectEnrolled(hub, bad)
    const clientGood = await connectEnrolled(hub, good)
    await clientBad.publishAsync(topics.device(bad.deviceId, 'telemetry'), '{not json', { qos: 1 })
    await clientBad.publishAsync(
      topics.device(bad.deviceId, 'telemetry'),
      JSON.stringify({ v: 1, ts: 'x' }),
      { qos: 1 },
    )
    const huge = { ...telemetry(), disks: [{ mount: 'x'.repeat(70_000), size: 1, used: 1 }] }
    await clientBad.publishAsync(topics.device(bad.deviceId, 'telemetry'), JSON.stringify(huge), { qos: 1 })
    const labels = (reason: string) => ({ reason, device: bad.deviceId })
    await until(
      async () => (await metric(hub, 'vigil_mqtt_rejected_total', labels('size'))) === 1,
      'size counted',
    )
    expect(await metric(hub, 'vigil_mqtt_rejected_total', labels('json'))).toBe(1)
    expect(await metric(hub, 'vigil_mqtt_rejected_total', labels('schema'))).toBe(1)

    const gone = closed(clientBad)
    clientBad.publish(`vigil/v1/dev/${bad.deviceId}/secrets`, '{}', { qos: 1 })
    await gone
    expect(await metric(hub, 'vigil_mqtt_rejected_total', labels('unknown-kind'))).toBe(1)

    await clientGood.publishAsync(topics.device(good.deviceId, 'telemetry'), JSON.stringify(telemetry(33)))
    await until(() => hub.app.hub.registry.get(good.deviceId)?.cpuPct === 33, 'good device still served')
    expect(hub.app.hub.registry.get(bad.deviceId)?.cpuPct).toBeUndefined()
  })

  it('closes the connection of a packet over the maximum size, from its header', async () => {
    const hub = await testHub({ maxPacketBytes: 16 * 1024 })
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const gone = closed(client)
    client.publish(topics.device(dev.deviceId, 'inventory'), Buffer.alloc(64 * 1024, 0x61), { qos: 0 })
    await gone
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'oversize' })).toBe(1)
  })

  it('throttles a flooding device while another is still served', async () => {
    const hub = await testHub({ deviceRatePerSec: 50, deviceRateBurst: 5 })
    const flood = await enroll(hub, 'flood')
    const calm = await enroll(hub, 'calm')
    const clientFlood = await connectEnrolled(hub, flood)
    const clientCalm = await connectEnrolled(hub, calm)
    const payload = JSON.stringify(telemetry(1))
    for (let i = 0; i < 60; i++) clientFlood.publish(topics.device(flood.deviceId, 'telemetry'), payload)
    await clientCalm.publishAsync(topics.device(calm.deviceId, 'telemetry'), JSON.stringify(telemetry(7)))
    await until(() => hub.app.hub.registry.get(calm.deviceId)?.cpuPct === 7, 'calm device served')
    await until(
      async () => (await metric(hub, 'vigil_mqtt_throttled_total', { device: flood.deviceId })) > 0,
      'flood throttled',
    )
    // every flooded message still arrives, only later
    await until(
      async () => (await metric(hub, 'vigil_mqtt_messages_total', { kind: 'telemetry' })) === 61,
      'all messages ingested',
    )
  })

  it('disconnects a disabled device and refuses its reconnect', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const token = await adminToken(hub)
    const gone = closed(client)
    const res = await hub.app.inject({
      method: 'PATCH',
      url: `/api/v1/devices/${dev.deviceId}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { disabled: true },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().disabled).toBe(true)
    await gone
    await expect(connectEnrolled(hub, dev)).rejects.toThrow(/Not authorized/i)
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'disabled', device: dev.deviceId })).toBe(
      1,
    )
  })

  it('a new password closes the connection made with the old one, which no longer works', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const gone = closed(client)
    const res = await hub.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${dev.deviceId}/credentials`,
      headers: { authorization: `Bearer ${await adminToken(hub)}` },
    })
    expect(res.statusCode).toBe(200)
    const fresh = res.json<typeof dev>()
    expect(fresh).toMatchObject({
      deviceId: dev.deviceId,
      mqtt: { url: dev.mqtt.url, username: dev.deviceId },
    })
    expect(fresh.mqtt.password).not.toBe(dev.mqtt.password)
    await gone
    await expect(connectEnrolled(hub, dev)).rejects.toThrow(/Not authorized|Bad username or password/i)
    const renewed = await connectEnrolled(hub, fresh)
    await renewed.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(9)))
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.cpuPct === 9, 'ingested with the new password')
    const audit = hub.app.hub.store.audit
    expect(JSON.stringify(await audit.read({ limit: 10, offset: 0 }))).toContain('device.rotate-credentials')
  })

  it('disconnects a deleted device and refuses its reconnect', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const gone = closed(client)
    const res = await hub.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${dev.deviceId}`,
      headers: { authorization: `Bearer ${await adminToken(hub)}` },
    })
    expect(res.statusCode).toBe(204)
    await gone
    await expect(connectEnrolled(hub, dev)).rejects.toThrow(/Bad username or password/i)
  })

  it('grants a device its command topic and fleet topics, refuses another device’s', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const granted = await client.subscribeAsync([topics.command(dev.deviceId), topics.baseline()])
    expect(granted.map((g) => g.qos)).toEqual([0, 0])
    await expect(client.subscribeAsync(topics.command('other'))).rejects.toThrow(/Subscribe error/)
    await expect(client.subscribeAsync('#')).rejects.toThrow(/Subscribe error/)
    expect(
      await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'subscribe', device: dev.deviceId }),
    ).toBe(2)
    expect(client.connected).toBe(true)
  })

  it('asks a device for its inventory and hardening when the birth names hashes the hub lacks', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    await client.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
    const commands: string[] = []
    client.on('message', (_t, payload) => commands.push(JSON.parse(payload.toString()).cmd))
    const inv: Inventory = {
      v: PROTOCOL_VERSION,
      ts: new Date().toISOString(),
      hash: '',
      os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
      packages: [
        {
          name: 'openssl',
          version: '3.0.11-1~deb12u2',
          ecosystem: 'deb',
          purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2',
        },
      ],
    }
    inv.hash = inventoryContentHash(inv)
    const hash = inv.hash
    await client.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify(birth({ inventoryHash: hash, hardeningHash: 'b'.repeat(64) })),
      { qos: 1, retain: true },
    )
    await until(() => commands.length === 2, 'two commands')
    expect(commands.sort()).toEqual(['send-hardening', 'send-inventory'])
    // once the inventory arrives, a new birth with the same hash asks nothing
    await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inv), { qos: 1 })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.packages === 1, 'inventory stored')
    expect(hub.app.hub.store.inventories.has(hash)).toBe(true)
    const sbom = await hub.app.inject({
      method: 'GET',
      url: `/api/v1/devices/${dev.deviceId}/sbom`,
      headers: { authorization: `Bearer ${await adminToken(hub)}` },
    })
    expect(sbom.statusCode).toBe(200)
    expect(sbom.json()).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { component: { type: 'device', name: 'GW-100', manufacturer: { name: 'Acme Medical' } } },
    })
    expect(sbom.json().components[1].purl).toBe('pkg:deb/debian/openssl@3.0.11-1~deb12u2')
  })

  it('refuses MQTT 5 connects it cannot police with reason codes (aedes speaks 3.1.1)', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    await expect(
      connectDevice(hub, {
        username: dev.deviceId,
        clientId: dev.deviceId,
        password: dev.mqtt.password,
        protocolVersion: 5,
      }),
    ).rejects.toThrow()
  })
})
