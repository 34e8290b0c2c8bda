/**
 * Optimistic concurrency (`Store.writeIf`, issue 13 point 4) on both engines. PostgreSQL: two stores
 * on one database stand for two hubs, each with its own memory; the database's version decides.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { VersionConflictError } from '../../src/store/conditional.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import type { Collection, Store } from '../../src/store/types.ts'
import { tempDir } from '../helpers.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'

interface Rec {
  id: string
  state: string
}

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function pgStore(url: string): Promise<PgStore> {
  const store = await PgStore.open({ url })
  onTestFinished(() => store.close().catch(() => undefined))
  return store
}

/** Two stores on one new database stand for two hubs: `a` wrote `ids` (state open), then `b` opened it. */
async function twoHubs(ids: string[]) {
  const url = await server.createDatabase()
  const a = await pgStore(url)
  const ca = await a.collection<Rec>('t/findings')
  for (const id of ids) ca.put({ id, state: 'open' })
  await a.commit()
  const b = await pgStore(url)
  const cb = await b.collection<Rec>('t/findings')
  return { url, a, ca, b, cb }
}

async function conflictOf(p: Promise<unknown>): Promise<VersionConflictError<Rec>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VersionConflictError)
  return err as VersionConflictError<Rec>
}

/** Changes `ids` to `state` if each is at the version given. */
const change = (
  store: Store,
  c: Collection<Rec>,
  expected: { id: string; version: number }[],
  state: string,
) =>
  store.writeIf(c as Collection<{ id: string }>, expected, () => {
    for (const e of expected) c.put({ id: e.id, state })
    return state
  })

describe('writeIf on PostgreSQL (two hubs, one database)', () => {
  it('lets exactly one of two concurrent writers of one version win; the other gets the current record', async () => {
    const { a, ca, b, cb } = await twoHubs(['f1'])
    const seen = cb.versionOf('f1') as number
    expect(seen).toBe(ca.versionOf('f1'))

    const results = await Promise.allSettled([
      change(a, ca, [{ id: 'f1', version: seen }], 'accepted'),
      change(b, cb, [{ id: 'f1', version: seen }], 'mitigated'),
    ])
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r) => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    const winner = (won[0] as PromiseFulfilledResult<string>).value
    const conflict = (lost[0] as PromiseRejectedResult).reason as VersionConflictError<Rec>
    expect(conflict).toBeInstanceOf(VersionConflictError)
    expect(conflict.conflicts).toEqual([
      { id: 'f1', expected: seen, version: seen + 1, record: { id: 'f1', state: winner } },
    ])
    // The database holds the winner, and both hubs' memories show it with the same version.
    const { rows } = await a.pool.query<{ doc: string; version: string }>(
      "SELECT doc, version::text AS version FROM vigil_collections WHERE collection = 't/findings' AND id = 'f1'",
    )
    expect(JSON.parse(rows[0]?.doc ?? '{}').state).toBe(winner)
    expect(Number(rows[0]?.version)).toBe(seen + 1)
    for (const c of [ca, cb]) {
      expect(c.get('f1')?.state).toBe(winner)
      expect(c.versionOf('f1')).toBe(seen + 1)
    }
  })

  it('refuses a stale version even when this hub’s memory has not seen the other hub’s write', async () => {
    const { url, a, ca, b, cb } = await twoHubs(['f1'])
    // No change feed on b from now on (left listening, the notification of a's commit may bring a's
    // write into b's memory before the check below: seen under load).
    await b.feed.close()
    await change(a, ca, [{ id: 'f1', version: 1 }], 'in_progress')
    // b's memory is stale: it still believes version 1.
    expect(cb.versionOf('f1')).toBe(1)
    const conflict = await conflictOf(change(b, cb, [{ id: 'f1', version: 1 }], 'accepted'))
    expect(conflict.conflicts[0]).toMatchObject({ version: 2, record: { state: 'in_progress' } })
    // b took the database's row; with the current version its write goes through.
    expect(cb.versionOf('f1')).toBe(2)
    await change(b, cb, [{ id: 'f1', version: 2 }], 'accepted')
    const c = await pgStore(url)
    const cc = await c.collection<Rec>('t/findings')
    expect(cc.get('f1')).toEqual({ id: 'f1', state: 'accepted' })
    expect(cc.versionOf('f1')).toBe(3)
  })

  it('writes a bulk change all or nothing, and its log entries with it', async () => {
    const { url, a, ca, b, cb } = await twoHubs(['f1', 'f2', 'f3'])
    const history = await a.log<{ id: string; to: string }>('t/history')
    await change(b, cb, [{ id: 'f2', version: 1 }], 'mitigated')
    const all = ['f1', 'f2', 'f3'].map((id) => ({ id, version: 1 }))
    const bulk = (to: string) =>
      a.writeIf(ca as Collection<{ id: string }>, all, () => {
        for (const e of all) {
          ca.put({ id: e.id, state: to })
          history.append({ id: e.id, to })
        }
      })
    const conflict = await conflictOf(bulk('accepted'))
    expect(conflict.conflicts.map((c) => c.id)).toEqual(['f2'])
    const { rows } = await a.pool.query<{ id: string; doc: string }>(
      "SELECT id, doc FROM vigil_collections WHERE collection = 't/findings' ORDER BY id",
    )
    expect(rows.map((r) => JSON.parse(r.doc).state)).toEqual(['open', 'mitigated', 'open'])
    expect(await history.read()).toEqual([])
    // With the versions now known, the whole bulk change goes through in one transaction.
    const current = ['f1', 'f2', 'f3'].map((id) => ({ id, version: ca.versionOf(id) as number }))
    expect(current.map((c) => c.version)).toEqual([1, 2, 1])
    await a.writeIf(ca as Collection<{ id: string }>, current, () => {
      for (const e of current) {
        ca.put({ id: e.id, state: 'accepted' })
        history.append({ id: e.id, to: 'accepted' })
      }
    })
    const check = await pgStore(url)
    const cc = await check.collection<Rec>('t/findings')
    expect(cc.values().map((r) => r.state)).toEqual(['accepted', 'accepted', 'accepted'])
    expect((await (await check.log<{ id: string }>('t/history')).read()).map((e) => e.id)).toEqual([
      'f3',
      'f2',
      'f1',
    ])
  })

  it('keeps versions rising when a stale hub writes through an ordinary round', async () => {
    const { a, ca, b, cb } = await twoHubs(['f1'])
    await change(a, ca, [{ id: 'f1', version: 1 }], 'in_progress')
    await change(a, ca, [{ id: 'f1', version: 2 }], 'mitigated')
    // b (memory at 1) writes unconditionally (the hub itself, e.g. a reopen): the version never goes back.
    cb.put({ id: 'f1', state: 'open' })
    await b.commit()
    const { rows } = await a.pool.query<{ version: string }>(
      "SELECT version::text AS version FROM vigil_collections WHERE collection = 't/findings' AND id = 'f1'",
    )
    expect(Number(rows[0]?.version)).toBe(4)
    await conflictOf(change(a, ca, [{ id: 'f1', version: 3 }], 'accepted'))
  })
})

describe('writeIf on the embedded engine', () => {
  it('compares versions in memory, all or nothing, and keeps versions across a restart', async () => {
    const dir = await tempDir()
    let store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
    let c = await store.collection<Rec>('t/findings')
    for (const id of ['f1', 'f2']) c.put({ id, state: 'open' })
    await store.commit()
    await change(store, c, [{ id: 'f1', version: 1 }], 'in_progress')
    const conflict = await conflictOf(
      change(
        store,
        c,
        [
          { id: 'f1', version: 1 },
          { id: 'f2', version: 1 },
        ],
        'accepted',
      ),
    )
    expect(conflict.conflicts).toEqual([
      { id: 'f1', expected: 1, version: 2, record: { id: 'f1', state: 'in_progress' } },
    ])
    expect(c.get('f2')?.state).toBe('open')
    await store.close()
    // Versions come back from the journal (no checkpoint yet) and then from the shard files.
    for (let i = 0; i < 2; i++) {
      store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
      c = await store.collection<Rec>('t/findings')
      expect(c.versionOf('f1')).toBe(2)
      expect(c.versionOf('f2')).toBe(1)
      await store.flush()
      await store.close()
    }
  })
})
