import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { connectEnrolled, enroll, metric, testHub, until } from '../helpers.ts'
import { inventoryOf } from './fixtures.ts'

describe('minimum interval of inventories and hardening reports (issue 14, finding 5)', () => {
  it('acknowledges and drops an inventory inside the interval, but takes one the hub asked for', async () => {
    const hub = await testHub({ deviceReportMinIntervalSec: 60 })
    const dev = await enroll(hub, 'chatty')
    const client = await connectEnrolled(hub, dev)
    const topic = topics.device(dev.deviceId, 'inventory')
    const a = inventoryOf('1.0')
    const b = inventoryOf('2.0')
    const c = inventoryOf('3.0')

    await client.publishAsync(topic, JSON.stringify(a), { qos: 1 })
    expect(hub.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBe(a.hash)

    // Inside the interval: acknowledged (publishAsync resolves on PUBACK), counted, not stored.
    await client.publishAsync(topic, JSON.stringify(b), { qos: 1 })
    expect(await metric(hub, 'vigil_ingest_refused_total', { reason: 'too-frequent' })).toBe(1)
    expect(hub.app.hub.store.inventories.has(b.hash)).toBe(false)
    expect(hub.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBe(a.hash)

    // Reconciliation still works: the hub asks, the answer is taken at once.
    await hub.app.hub.commands.send(dev.deviceId, { cmd: 'send-inventory' })
    await client.publishAsync(topic, JSON.stringify(c), { qos: 1 })
    expect(hub.app.hub.store.inventories.has(c.hash)).toBe(true)
    expect(hub.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBe(c.hash)
    // One request admits one report.
    await client.publishAsync(topic, JSON.stringify(b), { qos: 1 })
    expect(hub.app.hub.store.inventories.has(b.hash)).toBe(false)
  })

  it('asks for a fresh report once the interval has passed, so the last change is not lost', async () => {
    const hub = await testHub({ deviceReportMinIntervalSec: 1 })
    const dev = await enroll(hub, 'changing')
    const client = await connectEnrolled(hub, dev)
    await client.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
    const commands: string[] = []
    client.on('message', (_t, payload) => commands.push(JSON.parse(payload.toString()).cmd))
    await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inventoryOf('1')), {
      qos: 1,
    })
    await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inventoryOf('2')), {
      qos: 1,
    })
    expect(commands).toEqual([])
    await until(() => commands.includes('send-inventory'), 'the hub asks for the dropped inventory')
    expect(commands.filter((c) => c === 'send-inventory')).toHaveLength(1)
  })
})
