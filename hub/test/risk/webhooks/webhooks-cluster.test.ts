/**
 * Issue 13 point 5, webhook deliveries once across hubs on a real PostgreSQL: a correlation holder that
 * lost its lease without dying and the new holder briefly both write correlation's results. Two (and a
 * late third) registers and dispatchers on their own PgStores, one database, given the same
 * correlation result: each delivery is stored once (deterministic id, conditional put refused by the
 * database), sent once even when both dispatchers think they hold `webhooks.deliver` (claimed in the
 * database first), and a late copy of a sent one is refused by its tombstone.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createVendorMatcher } from '../../../src/risk/advisories/index.ts'
import { normalizeOsv } from '../../../src/risk/advisories/normalize/osv.ts'
import type { Advisory } from '../../../src/risk/advisories/types.ts'
import { CorrelationEngine } from '../../../src/risk/correlation/engine.ts'
import { RegisterDb } from '../../../src/risk/register/records.ts'
import { RiskRegister } from '../../../src/risk/register/register.ts'
import { announce } from '../../../src/risk/webhook-events.ts'
import { type Delivery, QUEUE, WebhookDispatcher } from '../../../src/risk/webhooks/dispatcher.ts'
import { PgStore } from '../../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../../postgres.ts'
import { until } from '../../until.ts'
import { DLA_3012, inventory, VULNERABLE } from '../register/fixtures.ts'

let server: TestPostgres
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

/** A real local HTTP receiver (200 to everything), recording each request's delivery id and event. */
async function receiver() {
  const received: { id: string; event: string }[] = []
  const http = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      received.push({
        id: String(req.headers['x-vigil-delivery']),
        event: String(req.headers['x-vigil-event']),
      })
      res.end()
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`, received }
}

describe('webhook deliveries on hubs overlapping as correlation holders', () => {
  it('are queued once, sent once, and a late copy of a sent one is refused', async () => {
    const url = await server.createDatabase()
    const rx = await receiver()
    const parsed = normalizeOsv(DLA_3012, 'DLA-3012-1.json')
    if (!parsed.ok) throw new Error(parsed.reason)
    const advisory: Advisory = parsed.advisory
    const devices = ['gw-1', 'gw-2']
    const sending = { on: false }
    const hub = async () => {
      // The feed polls rarely, but a notification of another hub's commit still wakes it: a hub hears
      // of another's writes milliseconds after they commit (`catchUp` waits for that), so two hubs
      // writing at once do not hear of each other's writes before writing their own.
      const store = await PgStore.open({ url, changePollMs: 3_600_000 })
      const dispatcher = new WebhookDispatcher({ store, leader: () => sending.on })
      await dispatcher.start()
      onTestFinished(async () => {
        await dispatcher.stop()
        await store.close()
      })
      const db = await RegisterDb.open(store)
      const engine = new CorrelationEngine(createVendorMatcher(), () => {})
      const register = new RiskRegister({
        db,
        engine,
        deviceName: (id) => id,
        audit: () => {},
        emit: (e) => announce(dispatcher, e),
      })
      engine.upsertAdvisory(advisory)
      for (const id of devices) engine.setInventory(id, inventory(VULNERABLE))
      return { store, dispatcher, register, engine }
    }
    const [a, b, late] = [await hub(), await hub(), await hub()]
    a.dispatcher.addEndpoint({ url: rx.url, events: ['finding.new', 'finding.resolved'] }, 'admin')
    await a.store.commit()
    await Promise.all([b.store.cluster.catchUp(), late.store.cluster.catchUp()])
    expect(b.dispatcher.endpoints.size).toBe(1)
    expect(late.dispatcher.endpoints.size).toBe(1)
    // The late holder hears nothing from now on (its feed cut, as by a partition). Left listening, it
    // would read the others' findings and deliveries milliseconds after they commit: it would make no
    // copy of its own, and its memory would show whichever copy of each delivery it had read last.
    await late.store.cluster.close()

    // Both hubs find the same new findings and queue their deliveries at once.
    a.register.reconcileMany(devices)
    b.register.reconcileMany(devices)
    await Promise.all([a.store.commit(), b.store.commit()])
    const ids = a.register.views().map((v) => v.id)
    expect(ids.length).toBeGreaterThan(0)
    const queued = await rows(a.store)
    expect(queued.filter((d) => d.event === 'finding.new')).toHaveLength(ids.length)
    // The refused copies were replaced in memory by the stored ones: both hubs hold the same queue.
    await Promise.all([a.store.cluster.catchUp(), b.store.cluster.catchUp()])
    expect(sortedIds(b.dispatcher.deliveries())).toEqual(sortedIds(queued))
    expect(sortedIds(a.dispatcher.deliveries())).toEqual(sortedIds(queued))

    // Both think they hold webhooks.deliver and send what is due at once: each is sent once.
    sending.on = true
    await Promise.all([a.dispatcher.run(), b.dispatcher.run()])
    await until(async () => {
      const now = await rows(a.store)
      return now.every((d) => d.status === 'sent') ? true : undefined
    }, 'every delivery sent')
    expect(rx.received.map((r) => r.id).sort()).toEqual(sortedIds(queued))

    // What the database holds now: each delivery once, a tombstone of its one sending.
    const sent = sortedById(await rows(a.store))
    expect(sent.map((d) => d.status)).toEqual(queued.map(() => 'sent'))

    // A late holder that saw nothing of it makes the same findings: its copies are refused by the
    // tombstones of the sent ones, and nothing is sent again.
    expect(late.dispatcher.queue.size).toBe(0)
    const mark = late.store.refusalMark()
    late.register.reconcileMany(devices)
    expect(sortedIds(late.dispatcher.deliveries())).toEqual(sortedIds(queued))
    await late.store.commit()
    await late.dispatcher.run()
    for (const d of queued) expect(late.store.refusedSince(QUEUE, d.id, mark)).toBe(true)
    // The database still holds each delivery once, as the hub that sent it left it (no late copy or
    // claim stored over the tombstone) …
    expect(sortedById(await rows(a.store))).toEqual(sent)
    // … and the late holder's memory took the stored tombstones (refused puts are reloaded before the
    // commit resolves): nothing pending, nothing claimed.
    expect(sortedById(late.dispatcher.queue.values())).toEqual(sent)
    expect(late.dispatcher.deliveries()).toEqual([])
    expect(rx.received.map((r) => r.id).sort()).toEqual(sortedIds(queued))

    // Both (now caught up) resolve the findings from the same records: one `finding.resolved` each.
    await Promise.all([a.store.cluster.catchUp(), b.store.cluster.catchUp()])
    sending.on = false
    for (const h of [a, b]) {
      h.engine.upsertAdvisory({ ...advisory, revision: '2099-01-01T00:00:00Z', withdrawn: true })
      h.register.reconcileMany(devices)
    }
    await Promise.all([a.store.commit(), b.store.commit()])
    const resolved = (await rows(a.store)).filter((d) => d.event === 'finding.resolved')
    expect(resolved).toHaveLength(ids.length)
    sending.on = true
    await Promise.all([a.store.cluster.catchUp(), b.store.cluster.catchUp()])
    await Promise.all([a.dispatcher.run(), b.dispatcher.run()])
    await until(
      () => rx.received.filter((r) => r.event === 'finding.resolved').length >= ids.length,
      'resolved deliveries',
    )
    await Promise.all([a.dispatcher.run(), b.dispatcher.run()])
    const received = rx.received.map((r) => r.id)
    expect(new Set(received).size).toBe(received.length)
    expect(received).toHaveLength(queued.length + resolved.length)
  }, 60_000)
})

describe('a webhook delivery claimed by a hub that died while sending', () => {
  it('is not sent by another hub before the claim ends, and is sent once after', async () => {
    const url = await server.createDatabase()
    const rx = await receiver()
    let offset = 0
    const sending = { on: false }
    const open = async () => {
      const store = await PgStore.open({ url, changePollMs: 3_600_000 })
      const dispatcher = new WebhookDispatcher({
        store,
        now: () => Date.now() + offset,
        leader: () => sending.on,
      })
      await dispatcher.start()
      onTestFinished(async () => {
        await dispatcher.stop()
        await store.close()
      })
      return { store, dispatcher }
    }
    const dead = await open()
    const b = await open()
    dead.dispatcher.addEndpoint({ url: rx.url, events: ['ping'] }, 'admin')
    await dead.store.commit()
    await b.store.cluster.catchUp()
    // What the dying hub left: a delivery claimed for 15 s, never sent nor released.
    const queued = b.dispatcher.enqueue('ping', { n: 1 }, { key: 'ping-1' })
    expect(queued).toBe(1)
    const [d] = b.dispatcher.deliveries()
    if (!d) throw new Error('no delivery')
    await b.store.commit()
    await dead.store.cluster.catchUp()
    dead.dispatcher.queue.put({ ...d, claim: { by: 'a hub that died', until: Date.now() + 15_000 } })
    await dead.store.commit()
    await b.store.cluster.catchUp()

    sending.on = true
    await b.dispatcher.run()
    expect(rx.received).toEqual([])
    expect((await rows(b.store))[0]?.status).toBe('pending')

    offset = 16_000
    await b.dispatcher.run()
    await until(() => rx.received.length === 1, 'the delivery sent after its claim ended')
    await b.dispatcher.run()
    expect(rx.received.map((r) => r.id)).toEqual([d.id])
    expect((await rows(b.store))[0]?.status).toBe('sent')
  }, 60_000)
})

/** The deliveries stored in the database (read through a store's pool). */
async function rows(store: PgStore): Promise<Delivery[]> {
  const { rows } = await store.pool.query<{ doc: string }>(
    'SELECT doc FROM vigil_collections WHERE collection = $1',
    [QUEUE],
  )
  return rows.map((r) => JSON.parse(r.doc) as Delivery)
}

const sortedIds = (ds: { id: string }[]) => ds.map((d) => d.id).sort()
const sortedById = <T extends { id: string }>(ds: T[]) => [...ds].sort((x, y) => (x.id < y.id ? -1 : 1))
