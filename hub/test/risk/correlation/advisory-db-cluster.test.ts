/**
 * Advisory packs written by two hubs on one real PostgreSQL (issue 13): their pack keys never collide,
 * a hub hears of the other's packs through the change feed and reads them, and adopting the current
 * revision lets its own newer revision retire the other's pack.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { importAdvisories } from '../../../src/risk/advisories/index.ts'
import type { Advisory } from '../../../src/risk/advisories/types.ts'
import { AdvisoryDb } from '../../../src/risk/correlation/advisory-db.ts'
import { PgStore } from '../../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../../postgres.ts'
import { until } from '../../until.ts'
import { DEBIAN_DB } from '../register/fixtures.ts'

let server: TestPostgres
let real: Advisory

beforeAll(async () => {
  server = await startPostgres()
  const s = await importAdvisories([DEBIAN_DB])
  real = [...(s.index?.all() ?? [])][0] as Advisory
}, 120_000)
afterAll(() => server?.stop())

describe('advisory packs on several hubs', () => {
  it('unique keys, read from the other hub, a newer revision retires the older pack', async () => {
    const url = await server.createDatabase()
    const hub = async () => {
      const store = await PgStore.open({ url, changePollMs: 100 })
      onTestFinished(() => store.close())
      const db = await AdvisoryDb.open(store)
      await db.load()
      const told: string[] = []
      store.watch((c) => {
        if (c.collection === 'doc:advisory-db' && c.record) told.push(c.id)
      })
      return { store, db, told }
    }
    const [a, b] = [await hub(), await hub()]
    const x = (revision: string, title: string): Advisory => ({ ...real, id: 'X-1', revision, title })

    // Both write their first pack at once: two keys, not one overwritten.
    await Promise.all([
      a.db.save(x('2026-01-01T00:00:00Z', 'a')),
      b.db.save({ ...x('2026-01-01T00:00:00Z', 'b'), id: 'Y-1' }),
    ])
    await until(() => a.told.length === 1 && b.told.length === 1, 'each pack told to the other hub')
    expect(a.told[0]).not.toBe(b.told[0])

    // B reads A's pack and adopts X-1; B's newer revision then retires A's pack.
    const fromA = await b.db.readRemote(b.told[0] as string)
    expect(fromA.map((v) => v.title)).toEqual(['a'])
    b.db.adopt(fromA[0] as Advisory, b.told[0] as string)
    await b.db.save(x('2026-02-01T00:00:00Z', 'b2'))
    const keys = (await b.store.docs('advisory-db')).keys()
    expect(keys).not.toContain(b.told[0])

    // A hub starting now loads the newest revision of each.
    const c = await PgStore.open({ url })
    onTestFinished(() => c.close())
    const loaded = await (await AdvisoryDb.open(c)).load()
    expect(Object.fromEntries(loaded.advisories.map((v) => [v.id, v.title]))).toEqual({
      'X-1': 'b2',
      'Y-1': 'b',
    })
  })
})
