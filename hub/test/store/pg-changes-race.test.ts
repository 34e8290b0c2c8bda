/**
 * A regression test for a change-feed race seen under CI load (pg-changes.ts, `readOnce`): a read
 * chose the stores it serves, then waited for a pooled connection. A document store that finished
 * loading during that wait, and a document another hub committed after that load, were seen by the
 * read's snapshot but served by no store; the horizon then passed the document and it was lost for
 * good. Here the wait is made deterministic by holding the feed's pooled connection.
 */
import type pg from 'pg'
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function open(url: string) {
  // No poll during the test: reads come from notifications only, so the held one is the only one.
  const store = await PgStore.open({ url, commitWindowMs: 2, changePollMs: 600_000 })
  onTestFinished(() => store.close().catch(() => undefined))
  return store
}

/**
 * Holds the next `pool.connect()` as the feed calls it (no callback: `pool.query` passes one) until
 * `release()`; later calls pass.
 */
function holdNextConnect(pool: pg.Pool) {
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient>
  let held = false
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  let asked!: () => void
  const waiting = new Promise<void>((resolve) => {
    asked = resolve
  })
  ;(pool as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
    if (held || args.length > 0) return connect(...args)
    return holdOnce()
  }
  const holdOnce = async () => {
    held = true
    asked()
    await gate
    return connect()
  }
  return { waiting, release }
}

it('serves a document store that finished loading while a read waited for its connection', async () => {
  const url = await server.createDatabase()
  const a = await open(url)
  const b = await open(url)
  const notesA = await a.collection<{ id: string }>('notes')
  const notesB = await b.collection<{ id: string }>('notes')

  // A write of a makes b read; b's read is held before it has a connection.
  const hold = holdNextConnect(b.pool)
  notesA.put({ id: 'n1' })
  await a.commit()
  await hold.waiting

  // Meanwhile b loads a document store, and then a commits a document into it.
  const docsA = await a.docs<{ n: number }>('advisory-db')
  const docsB = await b.docs<{ n: number }>('advisory-db')
  await docsA.put('osv', { n: 1 })
  expect(docsB.has('osv')).toBe(false)

  // The held read goes on: its snapshot sees the document, so it must serve the store loaded meanwhile.
  hold.release()
  await until(() => notesB.get('n1') !== undefined, 'the note on b')
  await until(() => docsB.has('osv'), 'the document committed after the store loaded')
  expect(await docsB.get('osv')).toEqual({ n: 1 })
})
