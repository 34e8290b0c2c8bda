/**
 * The PostgreSQL path of `POST /api/v1/findings/bulk` without HTTP or a racing correlation (issue 13,
 * bulk transitions through hub B): two PgStores on one fresh database stand for hubs A and B. A's
 * register writes the findings of 500 devices (the bench's images and the `commit` section's 26 OSV
 * advisories, SSVC decided), B follows them (change feed), then B's `decideMany` moves 1,000 of them
 * to `in_progress` and back, each bulk timed whole, its `writeIf` job alone, and every query B sent.
 *
 *   node --import tsx test/bench/measure-bulk-pg.ts [rounds=6]
 */
import pg from 'pg'
import { createVendorMatcher } from '../../hub/src/risk/advisories/index.ts'
import { normalizeOsv } from '../../hub/src/risk/advisories/normalize/osv.ts'
import { CorrelationEngine } from '../../hub/src/risk/correlation/engine.ts'
import { RegisterDb } from '../../hub/src/risk/register/records.ts'
import { RiskRegister } from '../../hub/src/risk/register/register.ts'
import { ContextDb } from '../../hub/src/risk/ssvc/context-db.ts'
import { SsvcDecider } from '../../hub/src/risk/ssvc/decider.ts'
import { PgStore } from '../../hub/src/store/postgres/pg-store.ts'
import type { Collection } from '../../hub/src/store/types.ts'
import { startPostgres } from '../../hub/test/postgres.ts'
import { buildImages, identityOf } from './lib/images.ts'
import { advisory, PACKAGES } from './sections/commit.ts'

const ROUNDS = Number(process.argv[2] ?? 6)
const DEVICES = 500
const IMAGES = 50
const BULK = 1000

/** Each query hub B's pool sends, with its time to answer. */
const queries: string[] = []
class TimingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const t = performance.now()
    const answer = (super.query as (...a: unknown[]) => unknown)(...args)
    const q = args[0] as string | { text: string }
    const text = (typeof q === 'string' ? q : q.text).replace(/\s+/g, ' ').slice(0, 32)
    if (answer instanceof Promise)
      answer.then(
        () => queries.push(`${text}…: ${(performance.now() - t).toFixed(1)} ms`),
        () => undefined,
      )
    return answer as never
  }
}

const server = await startPostgres()
try {
  const url = await server.createDatabase()
  const images = buildImages(IMAGES)
  const devices = Array.from({ length: DEVICES }, (_, i) => `bench-bulk-${i}`)
  const hub = async (client?: typeof pg.Client) => {
    const store = await PgStore.open({ url, ...(client ? { client } : {}) })
    const db = await RegisterDb.open(store)
    const contexts = await ContextDb.open(store)
    const engine = new CorrelationEngine(createVendorMatcher(), () => {})
    const decider = new SsvcDecider(engine, contexts, (id) => identityOf(Number(id.split('-')[2]), IMAGES))
    const register = new RiskRegister({
      db,
      engine,
      decider,
      deviceName: (id) => id,
      audit: (e) => store.audit.append({ ...e, ts: new Date().toISOString() }),
      emit: () => {},
    })
    for (const pkg of PACKAGES) {
      const parsed = normalizeOsv(advisory(pkg), `${pkg}.json`)
      if (!parsed.ok) throw new Error(parsed.reason)
      engine.upsertAdvisory(parsed.advisory)
    }
    devices.forEach((id, i) => {
      const image = images[i % IMAGES]
      if (image) engine.setInventory(id, image)
    })
    return { store, register }
  }
  const a = await hub()
  a.register.reconcileMany(devices)
  await a.store.commit()
  const b = await hub(TimingClient)
  await b.store.cluster.catchUp()
  const all = b.register.views()
  const ids = all.map((v) => v.id).slice(0, BULK)
  console.log(`load ${(await import('node:os')).loadavg()[0]?.toFixed(2)}; findings on B: ${all.length}`)
  // The job's own time: what runs inside the transaction between the row locks and the statement.
  let jobMs = 0
  const writeIf = b.store.writeIf.bind(b.store)
  b.store.writeIf = <R>(
    c: Collection<{ id: string }>,
    expected: { id: string; version: number }[],
    job: () => R,
  ) =>
    writeIf(c, expected, () => {
      const t = performance.now()
      const r = job()
      jobMs = performance.now() - t
      return r
    })
  for (let i = 0; i < ROUNDS; i++) {
    const state = i % 2 === 0 ? 'in_progress' : 'open'
    await b.store.commit()
    queries.length = 0
    const t0 = performance.now()
    const r = await b.register.decideMany(ids, { state, why: 'bench' }, 'admin')
    const ms = performance.now() - t0
    console.log(
      `bulk ${r.updated.length} → ${state}: ${ms.toFixed(1)} ms (job ${jobMs.toFixed(1)} ms); ${queries.join(' | ')}`,
    )
  }
  await a.store.close()
  await b.store.close()
} finally {
  await server.stop()
}
