/**
 * `CollectionOptions.conditionalPuts` (issue 13 point 5; the webhook queue uses it): on PostgreSQL a put
 * is stored only over an older stored version. Two stores on one database stand for two hubs, each
 * with its own memory: a record both create is stored once (the second creation refused, its memory
 * takes the stored record), and of two updates made from one version only the first is stored. The
 * embedded engine has one writer: every put is stored.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { tempDir } from '../helpers.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'

interface Rec {
  id: string
  by: string
}

let server: TestPostgres
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function pgStore(url: string): Promise<PgStore> {
  // The feed polls rarely, but a notification of the other's commit still wakes it (the first test
  // cuts the feeds where that matters).
  const store = await PgStore.open({ url, changePollMs: 3_600_000 })
  onTestFinished(() => store.close().catch(() => undefined))
  return store
}

describe('conditional puts on PostgreSQL (two hubs, one database)', () => {
  it('create a record once and store one of two updates made from the same version', async () => {
    const url = await server.createDatabase()
    const [a, b] = [await pgStore(url), await pgStore(url)]
    const ca = await a.collection<Rec>('t/queue', { conditionalPuts: true })
    const cb = await b.collection<Rec>('t/queue', { conditionalPuts: true })
    // Neither store hears of the other's writes from now on: a memory is only refreshed by a refusal.
    // (Left listening, B could read A's record before its own put, which is then an update of it and
    // stored: seen under load.)
    await Promise.all([a.feed.close(), b.feed.close()])

    const mark = b.refusalMark()
    ca.put({ id: 'd1', by: 'a' })
    await a.commit()
    cb.put({ id: 'd1', by: 'b' })
    await b.commit()
    expect(b.refusedSince('t/queue', 'd1', mark)).toBe(true)
    expect(a.refusedSince('t/queue', 'd1', mark)).toBe(false)
    // B's memory took the stored record: the one A created.
    expect(cb.get('d1')).toEqual({ id: 'd1', by: 'a' })
    expect(cb.versionOf('d1')).toBe(1)
    const stored = async () =>
      (
        await a.pool.query<{ doc: string; version: string }>(
          "SELECT doc, version::text AS version FROM vigil_collections WHERE collection = 't/queue'",
        )
      ).rows
    expect(await stored()).toEqual([{ doc: JSON.stringify({ id: 'd1', by: 'a' }), version: '1' }])

    // Both now hold version 1 and update it (a claim each): the first committed is stored.
    const [markA, markB] = [a.refusalMark(), b.refusalMark()]
    cb.put({ id: 'd1', by: 'b claims' })
    ca.put({ id: 'd1', by: 'a claims' })
    await Promise.all([b.commit(), a.commit()])
    const refusedOnA = a.refusedSince('t/queue', 'd1', markA)
    const refusedOnB = b.refusedSince('t/queue', 'd1', markB)
    expect([refusedOnA, refusedOnB].sort()).toEqual([false, true])
    const winner = refusedOnA ? 'b claims' : 'a claims'
    expect(await stored()).toEqual([{ doc: JSON.stringify({ id: 'd1', by: winner }), version: '2' }])
    expect(ca.get('d1')?.by).toBe(winner)
    expect(cb.get('d1')?.by).toBe(winner)
  })

  it('leave a collection without the option as it was: the last write is stored', async () => {
    const url = await server.createDatabase()
    const [a, b] = [await pgStore(url), await pgStore(url)]
    const ca = await a.collection<Rec>('t/plain')
    const cb = await b.collection<Rec>('t/plain')
    ca.put({ id: 'd1', by: 'a' })
    await a.commit()
    cb.put({ id: 'd1', by: 'b' })
    await b.commit()
    const { rows } = await a.pool.query<{ doc: string }>(
      "SELECT doc FROM vigil_collections WHERE collection = 't/plain'",
    )
    expect(rows.map((r) => JSON.parse(r.doc))).toEqual([{ id: 'd1', by: 'b' }])
  })
})

describe('conditional puts on the embedded engine (one writer)', () => {
  it('store every put', async () => {
    const store = await LowdbStore.open({ dataDir: await tempDir(), flushIntervalMs: 60_000 })
    onTestFinished(() => store.close())
    const c = await store.collection<Rec>('t/queue', { conditionalPuts: true })
    c.put({ id: 'd1', by: 'a' })
    c.put({ id: 'd1', by: 'b' })
    await store.commit()
    expect(c.get('d1')).toEqual({ id: 'd1', by: 'b' })
    expect(c.versionOf('d1')).toBe(2)
  })
})
