/**
 * The live stream across hubs (realtime/cluster.ts): two hubs' events bridged over a real PostgreSQL's
 * LISTEN/NOTIFY (the channel of two PgStores on one database).
 */
import type { FeedItem, Telemetry } from '@vigil/protocol'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { HubEvents } from '../../src/events/hub-events.ts'
import { bridgeLiveEvents } from '../../src/realtime/cluster.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'
import { twoHubs } from './two-hubs.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

const telemetry = (cpu: number): Telemetry => ({
  v: 1,
  ts: '2026-01-01T00:00:00.000Z',
  cpu: { loadPct: cpu },
  mem: { total: 1, used: 1 },
  disks: [],
  net: { rxBps: 0, txBps: 0 },
  uptimeSec: 1,
  processes: 1,
})

describe('live events across hubs', () => {
  it('relays feed items, and telemetry of devices watched on another hub, once, never back', async () => {
    const url = await server.createDatabase()
    const [a, b] = await twoHubs(url, {}, (store) => {
      const events = new HubEvents()
      const watched = new Set<string>()
      const bridge = bridgeLiveEvents({
        channel: store.cluster,
        events,
        watchedHere: () => watched,
        windowMs: 10,
      })
      onTestFinished(() => bridge.stop())
      const feed: FeedItem[] = []
      const samples: number[] = []
      events.on('feed', (f) => feed.push(f))
      events.on('telemetry', (s) => samples.push(s.telemetry.cpu.loadPct))
      return { events, watched, bridge, feed, samples }
    })
    // Many feed items at once: split below NOTIFY's payload limit, all delivered, in order.
    const items = Array.from({ length: 200 }, (_, n) => ({
      id: `f${n}`,
      ts: '2026-01-01T00:00:00.000Z',
      deviceId: 'd1',
      deviceName: 'gateway',
      kind: 'info' as const,
      message: `item ${n} ${'x'.repeat(100)}`,
    }))
    for (const item of items) a.events.emit('feed', item)
    await until(() => b.feed.length === items.length, "a's feed items on b")
    expect(b.feed.map((f) => f.id)).toEqual(items.map((f) => f.id))
    // Telemetry of a device nobody watches stays on its hub.
    a.events.emit('telemetry', { deviceId: 'd1', telemetry: telemetry(1) })
    // b's dashboard watches d1: from then on a relays its samples.
    b.watched.add('d1')
    b.bridge.watched('d1')
    await new Promise((r) => setTimeout(r, 300))
    a.events.emit('telemetry', { deviceId: 'd1', telemetry: telemetry(2) })
    a.events.emit('telemetry', { deviceId: 'd2', telemetry: telemetry(3) })
    await until(() => b.samples.includes(2), 'the watched sample on b')
    await new Promise((r) => setTimeout(r, 300))
    expect(b.samples).toEqual([2])
    // Nothing came back to a (a relayed item is not relayed again).
    expect(a.feed.length).toBe(items.length)
    expect(a.samples).toEqual([1, 2, 3])
  })
})
