/**
 * Job leases on a real PostgreSQL (jobs/pg-leases.ts): a job is held by exactly one of several hubs,
 * and taken over when its holder goes (its session closes). `kill -9` of a hub process:
 * test/test/cluster-ops.test.ts.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { JOBS } from '../../src/jobs/jobs.ts'
import { PgJobLeases } from '../../src/jobs/pg-leases.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function leases(url: string) {
  const changes: string[] = []
  const l = await PgJobLeases.start({
    connection: { connectionString: url },
    intervalMs: 100,
    onChange: (job, held) => changes.push(`${job}:${held}`),
  })
  onTestFinished(() => l.close())
  return { l, changes }
}

describe('job leases on PostgreSQL advisory locks', () => {
  it('gives each job to exactly one hub and hands it over when that hub goes', async () => {
    const url = await server.createDatabase()
    const a = await leases(url)
    const b = await leases(url)
    const c = await leases(url)
    expect(a.l.held()).toEqual([...JOBS])
    // Several tries later the others still hold nothing (the locks are a's).
    await Promise.all([b.l.tryNow(), c.l.tryNow()])
    await b.l.tryNow()
    expect(b.l.held()).toEqual([])
    expect(c.l.held()).toEqual([])
    let ran = 0
    for (const x of [a, b, c]) await x.l.runExclusive('register.sweep', () => ran++)
    expect(ran).toBe(1)
    await a.l.close()
    expect(a.changes.filter((x) => x.endsWith(':false'))).toHaveLength(JOBS.length)
    await until(() => b.l.held().length + c.l.held().length === JOBS.length, 'the jobs taken over')
    // Every job on exactly one of the two.
    for (const job of JOBS) expect(Number(b.l.holds(job)) + Number(c.l.holds(job))).toBe(1)
  })

  it('stops believing it holds anything when its session is killed, then takes the jobs again', async () => {
    const url = await server.createDatabase()
    const a = await leases(url)
    expect(a.l.held()).toEqual([...JOBS])
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    onTestFinished(() => admin.end())
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vigil-hub-jobs'",
    )
    await until(() => a.changes.includes('feeds.sync:false'), 'the lease lost')
    await until(() => a.l.held().length === JOBS.length, 'the jobs taken again')
  })
})
