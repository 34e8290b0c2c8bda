/**
 * `PgLog.read` lists what this hub has not committed yet, less what the database will refuse by its
 * dedup key (issue 13): a message sent twice is listed once while its copies wait for their round,
 * whether the other copy is queued here too or already stored by another hub. Real PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'

let server: TestPostgres
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

type Entry = { id: string; copy: number }

describe('PgLog.read with unsaved entries', () => {
  it('lists an entry whose dedup key is stored or queued before it once', async () => {
    const url = await server.createDatabase()
    const open = async (commitWindowMs: number) => {
      const store = await PgStore.open({ url, commitWindowMs, changePollMs: 3_600_000 })
      onTestFinished(() => store.close().catch(() => undefined))
      return { store, log: await store.log<Entry>('test/twice') }
    }
    const b = await open(10)
    b.log.append({ id: 'stored-by-b', copy: 1 }, 'k-stored')
    await b.store.commit()
    // Hub A's round waits a minute: what it appends now stays unsaved while it is listed.
    const a = await open(60_000)
    a.log.append({ id: 'plain', copy: 1 })
    a.log.append({ id: 'queued-twice', copy: 1 }, 'k-queued')
    a.log.append({ id: 'queued-twice', copy: 2 }, 'k-queued')
    a.log.append({ id: 'stored-by-b', copy: 2 }, 'k-stored')
    a.log.append({ id: 'fresh', copy: 1 }, 'k-fresh')
    const listed = await a.log.read({ limit: 100 })
    expect(a.store.stats().commitRounds).toBe(0) // listed before A's round ran
    expect(listed).toEqual([
      { id: 'fresh', copy: 1 },
      { id: 'queued-twice', copy: 1 },
      { id: 'plain', copy: 1 },
      { id: 'stored-by-b', copy: 1 },
    ])
    // Committed, the database agrees: each key stored once.
    await a.store.commit()
    expect(await b.log.read({ limit: 100 })).toEqual(listed)
  }, 60_000)
})
