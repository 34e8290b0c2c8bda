/**
 * Hub slots (issue 13, point 6) on Debian's Mosquitto and a real PostgreSQL: two keepers share K
 * persistent sessions under advisory locks; when one dies (its database connection ends) the other
 * takes its slots and gets what the broker queued to them while nobody held them; when it returns the
 * slots are rebalanced with a clean handover. Rounds are run by hand (interval of an hour) so every
 * step is deterministic.
 */
import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { BusHandlers } from '../../src/broker/bus.js'
import { openHubSession } from '../../src/broker/external.js'
import { SlotKeeper, slotClientId, slotNamespace, slotShare } from '../../src/broker/slots.js'
import { until } from '../helpers.ts'
import { connectClient, hasMosquitto, startMosquitto } from '../mosquitto.ts'
import { hasPostgres, startPostgres } from '../postgres.ts'

const K = 4
const GROUP = 'slot-test'

describe('slot arithmetic', () => {
  it('shares K slots fairly and keeps one namespace per group', () => {
    expect([1, 2, 3, 8].map((h) => slotShare(8, h))).toEqual([8, 4, 3, 1])
    expect(slotShare(8, 0)).toBe(8)
    expect(slotNamespace('a')).toBe(slotNamespace('a'))
    expect(slotNamespace('a')).not.toBe(slotNamespace('b'))
    expect(slotNamespace('vigil-hub')).toBeGreaterThan(0)
    expect(slotClientId('vigil-hub', 3)).toBe('vigil-hub-slot-3')
  })
})

describe.skipIf(!hasMosquitto || !hasPostgres)('hub slots on Mosquitto + PostgreSQL', () => {
  it('a dead holder’s slots and their queued messages are taken over, then rebalanced', async () => {
    const users = { hub: 'hub-secret', devA: 'a-secret' }
    const broker = await startMosquitto(users, 'hub')
    const pgServer = await startPostgres()
    onTestFinished(() => pgServer.stop())
    const url = await pgServer.createDatabase()

    const received = { a: [] as number[], b: [] as number[] }
    let aStalled = false
    const handlers = (who: 'a' | 'b'): BusHandlers => ({
      message(msg) {
        // A stalled hub never finishes storing: what it was handed stays unacknowledged (in flight).
        if (who === 'a' && aStalled) return new Promise<void>(() => {})
        const ev = JSON.parse(msg.payload.toString()) as { message: string }
        received[who].push(Number(ev.message))
        return Promise.resolve()
      },
      rejected() {},
    })
    const keeper = (who: 'a' | 'b') =>
      new SlotKeeper({
        db: { connectionString: url, application_name: `slots-${who}` },
        slots: K,
        namespace: slotNamespace(GROUP),
        intervalMs: 3_600_000,
        open: (k) =>
          openHubSession({
            url: broker.url,
            username: 'hub',
            password: users.hub,
            clientId: slotClientId(GROUP, k),
            clean: false,
            sessionExpirySec: 3600,
            shareGroup: GROUP,
            handlers: handlers(who),
          }),
      })
    const a = keeper('a')
    const b = keeper('b')
    onTestFinished(async () => {
      await a.stop()
      await b.stop()
    })

    await a.start()
    expect(a.heldSlots()).toEqual([0, 1, 2, 3])
    await b.start()
    expect(b.liveHubs()).toBe(2)
    expect(b.heldSlots()).toEqual([]) // all locked by a
    await a.round() // a holds 4 > share 2: hands one over
    await a.round()
    expect(a.heldSlots()).toHaveLength(2)
    await b.round()
    expect(b.heldSlots()).toHaveLength(2)
    expect([...a.heldSlots(), ...b.heldSlots()].sort()).toEqual([0, 1, 2, 3])

    const device = await connectClient(broker.url, 'devA', users.devA)
    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const ev = {
          v: PROTOCOL_VERSION,
          id: `e${i}`,
          ts: new Date().toISOString(),
          kind: 'info',
          message: `${i}`,
        }
        // Acknowledged by the broker: from here on the device forgets it.
        await device.publishAsync(topics.device('devA', 'event'), JSON.stringify(ev), { qos: 1 })
      }
    }
    const all = () => new Set([...received.a, ...received.b])
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

    await send(0, 40)
    await until(() => (range(0, 40).every((i) => all().has(i)) ? true : undefined))
    // The broker spreads over the sessions: both keepers got some.
    expect(received.a.length).toBeGreaterThan(0)
    expect(received.b.length).toBeGreaterThan(0)

    // a stalls (its share of 40..59 stays in flight to it, unacknowledged), then "dies": the server
    // ends its database connection, so its locks are gone and it drops its slots.
    aStalled = true
    const aBefore = received.a.length
    await send(40, 60)
    await pgServer.admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'slots-a'",
    )
    await until(() => (a.heldSlots().length === 0 ? true : undefined))
    aStalled = false
    // Sent while a's two slots are held by nobody: the broker queues their share in those sessions.
    await send(60, 80)
    await b.round() // one hub left: share 4, takes a's two slots with what is in flight or queued there
    expect(b.heldSlots()).toEqual([0, 1, 2, 3])
    await until(() => (range(40, 80).every((i) => received.b.includes(i)) ? true : undefined))
    expect(received.a.length).toBe(aBefore)

    // a returns: b hands slots over one per round while the device keeps sending.
    const sending = send(80, 160)
    await a.round()
    expect(a.liveHubs()).toBe(2)
    for (let i = 0; i < 4 && a.heldSlots().length < 2; i++) {
      await b.round()
      await a.round()
    }
    await sending
    expect(a.heldSlots()).toHaveLength(2)
    expect(b.heldSlots()).toHaveLength(2)
    // Nothing acknowledged by the broker is lost across the handovers (a message being handed over may
    // come twice: duplicates are the store's to remove by device and sequence).
    await until(() => (range(0, 160).every((i) => all().has(i)) ? true : undefined))
  }, 60_000)
})
