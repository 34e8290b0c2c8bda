/**
 * What the PostgreSQL engine adds to the conformance suite, on a real PostgreSQL 15: one round-trip
 * per commit round, concurrent starts on an empty database, the database restarted under the store,
 * and a full disk (its tablespace on a small tmpfs).
 */
import { execFileSync } from 'node:child_process'
import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { StorageError } from '../../src/store/errors.ts'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { readMigrations } from '../../src/store/postgres/schema.ts'
import { tempDir } from '../helpers.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function open(url: string, extra: Partial<Parameters<typeof PgStore.open>[0]> = {}) {
  const store = await PgStore.open({ url, ...extra })
  onTestFinished(() => store.close().catch(() => undefined))
  return store
}

describe('PostgreSQL engine', () => {
  it('sends one query per commit round, not one per message', async () => {
    const url = await server.createDatabase()
    let queries = 0
    class CountingClient extends pg.Client {
      override query(...args: any[]): any {
        queries++
        return (super.query as any)(...args)
      }
    }
    const store = await open(url, { client: CountingClient })
    const devices = await store.collection<{ id: string; n: number }>('bench/devices')
    const events = await store.log<{ id: string; n: number }>('bench/events')
    const before = { queries, rounds: store.stats().commitRounds }
    // 1,000 device messages at once, each with its effect and an event, each awaiting its commit.
    await Promise.all(
      Array.from({ length: 1000 }, (_, n) => {
        store.atomic(() => {
          devices.put({ id: `d${n % 100}`, n })
          events.append({ id: `d${n % 100}`, n })
        })
        return store.commit()
      }),
    )
    const rounds = store.stats().commitRounds - before.rounds
    const sent = queries - before.queries
    console.log(`1,000 messages committed in ${rounds} round(s) with ${sent} quer(ies)`)
    expect(sent).toBe(rounds)
    expect(rounds).toBeLessThanOrEqual(2)
    const check = await open(url)
    const again = await check.collection<{ id: string; n: number }>('bench/devices')
    expect(again.size).toBe(100)
    expect(again.get('d99')?.n).toBe(999)
    expect((await (await check.log<{ n: number }>('bench/events')).read({ limit: 2000 })).length).toBe(1000)
  })

  it('commits a round larger than PostgreSQL allows parameters (65,535) in one statement', async () => {
    const url = await server.createDatabase()
    const store = await open(url)
    const log = await store.log<{ n: number }>('big/log')
    const c = await store.collection<{ id: string; n: number }>('big/things')
    for (let n = 0; n < 70_000; n++) log.append({ n })
    for (let n = 0; n < 1_000; n++) c.put({ id: `r${n}`, n })
    const rounds = store.stats().commitRounds
    await store.commit()
    expect(store.stats().commitRounds - rounds).toBe(1)
    const { rows } = await store.pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM vigil_logs WHERE log = 'big/log'",
    )
    expect(rows[0]?.n).toBe('70000')
    expect((await log.read({ limit: 2 })).map((e) => e.n)).toEqual([69_999, 69_998])
    expect((await (await open(url)).collection<{ id: string; n: number }>('big/things')).size).toBe(1_000)
  })

  it('lets three hubs start at once on an empty database as a plain (non-superuser) owner', async () => {
    const url = await server.createDatabase()
    const stores = await Promise.all([open(url), open(url), open(url)])
    const { rows } = await stores[0].pool.query<{ rolsuper: boolean; n: string }>(
      'SELECT rolsuper, (SELECT count(*) FROM vigil_migrations)::text AS n FROM pg_roles WHERE rolname = current_user',
    )
    expect(rows[0]).toEqual({ rolsuper: false, n: String((await readMigrations()).length) })
    stores[1].users.put({
      id: 'u1',
      username: 'u1',
      role: 'admin',
      passwordHash: 'x',
      createdAt: new Date().toISOString(),
    })
    await stores[1].commit()
    expect((await open(url)).users.get('u1')?.username).toBe('u1')
  })

  it('survives the database restarting under it: STORAGE_FAILED meanwhile, then recovers by itself', async () => {
    const url = await server.createDatabase()
    const store = await open(url, { probeIntervalMs: 100 })
    const things = await store.collection<{ id: string; n: number }>('restart/things')
    const log = await store.log<{ n: number }>('restart/log')
    things.put({ id: 'a', n: 1 })
    log.append({ n: 1 })
    await store.commit()
    // Like a crash of the database server: recovery from its WAL at the next start.
    await server.stopServer('immediate')
    let restarted = false
    onTestFinished(async () => {
      if (!restarted) await server.startServer()
    })
    // Idle, it notices by itself (an empty round while nothing is written).
    await until(() => !store.health().ok, 'the idle store to notice', 30_000)
    expect(store.health()).toMatchObject({ ok: false, code: 'STORAGE_FAILED' })
    things.put({ id: 'a', n: 2 })
    log.append({ n: 2 })
    const failed = await store.commit().then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(failed).toBeInstanceOf(StorageError)
    expect((failed as StorageError).code).toBe('STORAGE_FAILED')
    expect(store.health()).toMatchObject({ ok: false, code: 'STORAGE_FAILED' })
    await server.startServer()
    restarted = true
    await until(() => store.health().ok, 'the store to recover', 30_000)
    await store.commit()
    const again = await open(url)
    expect((await again.collection<{ id: string; n: number }>('restart/things')).get('a')?.n).toBe(2)
    expect((await (await again.log<{ n: number }>('restart/log')).read()).map((e) => e.n)).toEqual([2, 1])
  }, 60_000)

  const root = typeof process.getuid === 'function' && process.getuid() === 0
  it.runIf(root)(
    'on a full disk: refuses with STORAGE_FULL (SQLSTATE 53100), loses nothing, recovers',
    async () => {
      const mount = await tempDir()
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount])
      onTestFinished(() => {
        execFileSync('umount', ['-l', mount])
      })
      const space = await server.tablespaceOn(join(mount, 'pg'))
      const url = await server.createDatabase({ tablespace: space })
      const store = await open(url)
      const c = await store.collection<{ id: string; n: number; pad: string }>('full/things')
      const log = await store.log<{ n: number; pad: string }>('full/log')
      const filler = join(mount, 'filler')
      await writeFile(filler, '')
      try {
        for (;;) await appendFile(filler, Buffer.alloc(64 * 1024, 1))
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
      }
      const acked: number[] = []
      const refused: number[] = []
      // Random text does not compress (TOAST), so the tables must grow.
      const noise = (n: number) =>
        Buffer.alloc(n, 0)
          .map(() => 97 + Math.floor(Math.random() * 26))
          .toString()
      for (let n = 1; n <= 200 && refused.length < 3; n++) {
        c.put({ id: `r${n % 5}`, n, pad: noise(4000) })
        log.append({ n, pad: noise(8000) })
        try {
          await store.commit()
          acked.push(n)
        } catch (err) {
          expect(err).toBeInstanceOf(StorageError)
          expect((err as StorageError).code).toBe('STORAGE_FULL')
          refused.push(n)
        }
      }
      expect(refused.length, 'some commits were refused on the full disk').toBeGreaterThan(0)
      expect(store.health()).toMatchObject({ ok: false, code: 'STORAGE_FULL' })
      await rm(filler)
      await until(() => store.health().ok, 'the store to recover', 30_000)
      await store.commit()
      const last = [...acked, ...refused].sort((a, b) => a - b).at(-1) ?? 0
      await store.close()
      const again = await open(url)
      const ns = (await (await again.log<{ n: number }>('full/log')).read({ limit: 1000 })).map((e) => e.n)
      for (const n of acked) expect(ns).toContain(n)
      // What was refused stayed queued and was written when space returned, once.
      for (const n of refused) expect(ns).toContain(n)
      expect(new Set(ns).size).toBe(ns.length)
      const things = await again.collection<{ id: string; n: number }>('full/things')
      expect(things.get(`r${last % 5}`)?.n).toBe(last)
    },
    60_000,
  )
})
