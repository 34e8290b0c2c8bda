/**
 * Issue 13 point 5 at the database: a correlation holder that lost its lease without dying (a network
 * partition) may briefly write correlation's results alongside the new holder. Two registers on two
 * real PostgreSQL stores (two hubs, one database) make the same changes at once: each finding's
 * `resolved` history entry is stored once (its dedup key, `ON CONFLICT DO NOTHING`), and its `found`
 * entry, which comes from the record (not stored), is shown once.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createVendorMatcher } from '../../../src/risk/advisories/index.ts'
import { normalizeOsv } from '../../../src/risk/advisories/normalize/osv.ts'
import type { Advisory } from '../../../src/risk/advisories/types.ts'
import { CorrelationEngine } from '../../../src/risk/correlation/engine.ts'
import { RegisterDb } from '../../../src/risk/register/records.ts'
import { RiskRegister } from '../../../src/risk/register/register.ts'
import { PgStore } from '../../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../../postgres.ts'
import { DLA_3012, inventory, VULNERABLE } from './fixtures.ts'

let server: TestPostgres
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

describe('finding history on two hubs writing the same correlation result', () => {
  it('is stored once per change', async () => {
    const url = await server.createDatabase()
    const parsed = normalizeOsv(DLA_3012, 'DLA-3012-1.json')
    if (!parsed.ok) throw new Error(parsed.reason)
    const advisory: Advisory = parsed.advisory
    const devices = ['gw-1', 'gw-2']
    const hub = async () => {
      // The feed polls rarely: neither hub hears of the other's writes before it writes its own.
      const store = await PgStore.open({ url, changePollMs: 3_600_000 })
      onTestFinished(() => store.close())
      const db = await RegisterDb.open(store)
      const engine = new CorrelationEngine(createVendorMatcher(), () => {})
      const register = new RiskRegister({
        db,
        engine,
        deviceName: (id) => id,
        audit: () => {},
        emit: () => {},
      })
      engine.upsertAdvisory(advisory)
      for (const id of devices) engine.setInventory(id, inventory(VULNERABLE))
      return { store, db, engine, register }
    }
    const [a, b] = [await hub(), await hub()]

    // Both hubs find the same findings and write them at once.
    a.register.reconcileMany(devices)
    b.register.reconcileMany(devices)
    await Promise.all([a.store.commit(), b.store.commit()])
    const ids = a.register.views().map((v) => v.id)
    expect(ids.length).toBeGreaterThan(0)
    expect(b.register.views().map((v) => v.id)).toEqual(ids)
    const entries = async (to: string) => {
      const all = await a.db.history.read({ limit: 10_000 })
      return ids.map((id) => all.filter((e) => e.findingId === id && e.to === to).length)
    }
    // `found` is not a stored line: each finding's history shows it once, from its record, on both hubs.
    expect(await entries('open')).toEqual(ids.map(() => 0))
    const shown = async (h: typeof a) =>
      Promise.all(ids.map(async (id) => (await h.register.history(id)).map((e) => `${e.from}>${e.to}`)))
    expect(await shown(a)).toEqual(ids.map(() => ['null>open']))
    expect(await shown(b)).toEqual(ids.map(() => ['null>open']))

    // Each hub now holds the stored records (the change feed): both resolve them (the advisory
    // withdrawn) at once, from the same records: one `resolved` entry per finding.
    await Promise.all([a.store.cluster.catchUp(), b.store.cluster.catchUp()])
    for (const h of [a, b]) {
      h.engine.upsertAdvisory({ ...advisory, revision: '2099-01-01T00:00:00Z', withdrawn: true })
      h.register.reconcileMany(devices)
    }
    await Promise.all([a.store.commit(), b.store.commit()])
    expect(await entries('resolved')).toEqual(ids.map(() => 1))
    // Read through the other hub too: the same, once each.
    const onB = await b.db.history.read({ limit: 10_000 })
    expect(ids.map((id) => onB.filter((e) => e.findingId === id).length)).toEqual(ids.map(() => 1))
    expect(await shown(b)).toEqual(ids.map(() => ['open>resolved', 'null>open']))
  }, 60_000)
})
