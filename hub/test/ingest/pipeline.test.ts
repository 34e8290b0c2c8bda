import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Inventory, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { birth, connectEnrolled, enroll, metric, telemetry, testHub, until } from '../helpers.ts'
import { inventoryOf } from './fixtures.ts'

describe('ingest pipeline', () => {
  it('keeps telemetry in memory: a reporting fleet does not rewrite the store', async () => {
    const hub = await testHub({ flushIntervalMs: 3_600_000 })
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.identity, 'birth')
    await hub.app.hub.store.flush()
    const flushes = hub.app.hub.store.stats().flushes
    for (let i = 0; i < 5; i++) {
      await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(telemetry(i)), {
        qos: 1,
      })
    }
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.cpuPct === 4, 'telemetry applied')
    await hub.app.hub.store.flush()
    expect(hub.app.hub.store.stats().flushes).toBe(flushes)
    expect(hub.app.hub.telemetry.query(dev.deviceId)).toHaveLength(5)
  })

  it('ignores a will older than the state it holds and drops repeated events', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const old = new Date(Date.now() - 60_000).toISOString()
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
    await client.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify({ v: PROTOCOL_VERSION, status: 'offline', reason: 'will', ts: old }),
      { qos: 1 },
    )
    const event = {
      v: PROTOCOL_VERSION,
      id: 'evt-1',
      ts: new Date().toISOString(),
      kind: 'info',
      message: 'hello',
    }
    for (let i = 0; i < 3; i++) {
      await client.publishAsync(topics.device(dev.deviceId, 'event'), JSON.stringify(event), { qos: 1 })
    }
    await until(
      async () => (await metric(hub, 'vigil_mqtt_messages_total', { kind: 'event' })) === 3,
      'events in',
    )
    expect(hub.app.hub.registry.get(dev.deviceId)?.online).toBe(true)
    const events = await hub.app.hub.store.events.read()
    expect(events).toHaveLength(1)
  })

  it('marks a device offline on its shutdown state and on disconnect', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.online, 'online')
    await client.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify({
        v: PROTOCOL_VERSION,
        status: 'offline',
        reason: 'shutdown',
        ts: new Date().toISOString(),
      }),
      { qos: 1, retain: true },
    )
    await client.endAsync()
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.online === false, 'offline')
    expect(hub.app.hub.registry.get(dev.deviceId)?.lastState).toMatchObject({
      status: 'offline',
      reason: 'shutdown',
    })
    expect(await metric(hub, 'vigil_connected_devices')).toBe(0)
  })

  it('keeps in the telemetry history exactly the validated sample, whatever else the text held', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const send = (text: string) =>
      client.publishAsync(topics.device(dev.deviceId, 'telemetry'), text, { qos: 1 })
    const [a, b, c] = [telemetry(1), telemetry(2), telemetry(3)]
    await send(JSON.stringify(a))
    // undeclared properties, one of them nested: stripped before the sample is kept
    await send(JSON.stringify({ ...b, future: { x: 1 }, cpu: { ...b.cpu, secret: 'never kept' } }))
    // padding and a repeated key (the last one counts, as for every JSON.parse): the validated value
    const padded = JSON.stringify(c).replace('{', `{"cpu":{"junk":1},${' '.repeat(8000)}`)
    expect(JSON.parse(padded)).toEqual(c)
    await send(padded)
    await until(() => hub.app.hub.telemetry.query(dev.deviceId).length === 3, 'three samples kept')
    expect(hub.app.hub.telemetry.query(dev.deviceId)).toEqual([a, b, c])
  })

  it('rejects telemetry that is not UTF-8 as json and keeps the device as it was, then applies valid telemetry', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.online, 'online')
    const sample = telemetry(7)
    const text = JSON.stringify(sample)
    // A lone continuation byte inside a string: JSON-shaped, but not UTF-8.
    const bad = Buffer.concat([
      Buffer.from(text.slice(0, 20)),
      Buffer.from([0x80]),
      Buffer.from(text.slice(20)),
    ])
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), bad, { qos: 1 })
    await until(
      async () =>
        (await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'json', device: dev.deviceId })) === 1,
      'rejected as json',
    )
    expect(hub.app.hub.registry.get(dev.deviceId)?.cpuPct).toBeUndefined()
    expect(hub.app.hub.telemetry.query(dev.deviceId)).toHaveLength(0)
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), text, { qos: 1 })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.cpuPct === 7, 'valid telemetry applied')
    const device = hub.app.hub.registry.get(dev.deviceId)
    // The hub's receive time, never the device's clock (issue 14 point 4).
    expect(device?.telemetryAt).toBe(device?.lastSeen)
    expect(typeof device?.lastSeen).toBe('string')
    expect(Number.isNaN(Date.parse(device?.lastSeen ?? ''))).toBe(false)
  })

  it('rejects telemetry over its 64 KB limit as size and keeps the device as it was', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const big = {
      ...telemetry(55),
      disks: Array.from({ length: 2000 }, (_, i) => ({ mount: `/m${i}`, size: 1, used: 0 })),
    }
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024)
    await client.publishAsync(topics.device(dev.deviceId, 'telemetry'), JSON.stringify(big), { qos: 1 })
    await until(
      async () =>
        (await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'size', device: dev.deviceId })) === 1,
      'size rejection',
    )
    expect(hub.app.hub.registry.get(dev.deviceId)?.cpuPct).toBeUndefined()
    expect(hub.app.hub.telemetry.query(dev.deviceId)).toHaveLength(0)
  })

  it('acknowledges an inventory once stored, correlates after, and only the latest one waiting', async () => {
    const hub = await testHub({ deviceReportMinIntervalSec: 0 })
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const seen: string[] = []
    let release: () => void = () => {}
    const blocked = new Promise<void>((resolve) => {
      release = resolve
    })
    // A correlation that does not finish until released.
    hub.app.hub.hooks.add({
      async onInventory(_deviceId, inv: Inventory) {
        seen.push(inv.hash)
        await blocked
      },
    })
    const [a, b, c] = ['1.0', '2.0', '3.0'].map((v) => inventoryOf(v, 3)) as [Inventory, Inventory, Inventory]
    const topic = topics.device(dev.deviceId, 'inventory')
    // Each PUBACK arrives although the first correlation is still running.
    for (const inv of [a, b, c]) await client.publishAsync(topic, JSON.stringify(inv), { qos: 1 })
    expect(hub.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBe(c.hash)
    for (const inv of [a, b, c]) expect(hub.app.hub.store.inventories.has(inv.hash)).toBe(true)
    await until(() => seen.length === 1, 'first correlation started')
    expect(seen).toEqual([a.hash])
    release()
    // b was replaced by c before its turn: the device's latest inventory is correlated, once.
    await until(() => seen.length === 2, 'latest correlated')
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toEqual([a.hash, c.hash])
  })

  it('stores an inventory as received when that is exactly the validated value, never anything undeclared', async () => {
    const hub = await testHub({ deviceReportMinIntervalSec: 0 })
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const topic = topics.device(dev.deviceId, 'inventory')
    const file = (hash: string) =>
      readFile(join(hub.app.hub.config.dataDir, 'inventories', `${hash}.json`), 'utf8')
    const clean = inventoryOf('1.0', 2)
    const text = JSON.stringify(clean)
    await client.publishAsync(topic, text, { qos: 1 })
    expect(await file(clean.hash)).toBe(text)
    const other = inventoryOf('2.0', 2)
    await client.publishAsync(topic, JSON.stringify({ ...other, smuggled: 'x'.repeat(100) }), { qos: 1 })
    expect(hub.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBe(other.hash)
    expect(JSON.parse(await file(other.hash))).toEqual(other)
  })

  it('acknowledges a message whose handling failed only once what it changed before failing is durable', async () => {
    // A quiet hub: no checkpoint, so nothing but this message's own commit writes the journal.
    const hub = await testHub({ flushIntervalMs: 3_600_000 })
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const marker = '9.9.9-handler-failed'
    // A listener that fails on the state's change: the handler throws after the change is in memory.
    const off = hub.app.hub.registry.onChange((c) => {
      if (c.type === 'changed' && c.device.agentVersion === marker) throw new Error('a listener failed')
    })
    await client.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify(birth({ agentVersion: marker })),
      { qos: 1 },
    )
    off()
    // Memory holds the change (the message is acknowledged and dropped, it would fail again), and so
    // does the disk by the time the device was told it is done.
    expect(hub.app.hub.registry.get(dev.deviceId)?.agentVersion).toBe(marker)
    const dir = join(hub.app.hub.config.dataDir, 'journal')
    const lines = await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')))
    expect(lines.join('')).toContain(marker)
    const failed = await metric(hub, 'vigil_mqtt_rejected_total', {
      reason: 'internal',
      device: dev.deviceId,
    })
    expect(failed).toBe(1)
  })
})
