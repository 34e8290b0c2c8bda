/**
 * Builds the hub's `Jobs` (core.ts): leases on PostgreSQL, every job locally on the embedded engine.
 * Reports which hub holds which job (log, `vigil_job_held`) and runs the store's own once-job, the log
 * retention on PostgreSQL (when taken, then every `logRetentionIntervalSec`).
 */
import { readFileSync } from 'node:fs'
import type { FastifyBaseLogger } from 'fastify'
import type { HubConfig } from '../config.js'
import type { HubMetrics } from '../metrics/metrics.js'
import type { Store } from '../store/types.js'
import { JOBS, type Jobs, localJobs } from './jobs.js'

export async function startJobs(
  config: HubConfig,
  store: Store,
  metrics: HubMetrics,
  log: FastifyBaseLogger,
): Promise<Jobs> {
  if (!store.pruneLogs || !config.databaseUrl) {
    const jobs = localJobs()
    for (const job of JOBS) metrics.jobHeld.set({ job }, 1)
    return jobs
  }
  const pruneLogs = store.pruneLogs.bind(store)
  // Leases use `pg`: loaded only on the PostgreSQL engine.
  const { PgJobLeases } = await import('./pg-leases.js')
  for (const job of JOBS) metrics.jobHeld.set({ job }, 0)
  const retain = () => {
    pruneLogs().then(
      (deleted) => {
        if (Object.values(deleted).some((n) => n > 0))
          log.info({ deleted }, 'log retention: old rows deleted')
      },
      (err: unknown) => log.warn({ err }, 'log retention failed'),
    )
  }
  const ssl =
    config.databaseSslCa !== undefined || config.databaseSslRejectUnauthorized !== undefined
      ? {
          ssl: {
            ...(config.databaseSslCa !== undefined ? { ca: readFileSync(config.databaseSslCa, 'utf8') } : {}),
            rejectUnauthorized: config.databaseSslRejectUnauthorized ?? true,
          },
        }
      : {}
  let lastError = 0
  const jobs = await PgJobLeases.start({
    connection: { connectionString: config.databaseUrl, ...ssl },
    intervalMs: config.jobLeaseMs,
    onChange: (name, held) => {
      metrics.jobHeld.set({ job: name }, held ? 1 : 0)
      log.info({ job: name, held }, held ? `job ${name}: this hub runs it` : `job ${name}: released`)
      if (held && name === 'store.retention') retain()
    },
    onError: (err) => {
      // At most one warning a minute while the database is away.
      if (Date.now() - lastError < 60_000) return
      lastError = Date.now()
      log.warn({ err }, 'job leases: the database connection failed; this hub runs no cluster-wide job now')
    },
  })
  const timer = setInterval(() => {
    if (jobs.holds('store.retention')) retain()
  }, config.logRetentionIntervalSec * 1000)
  timer.unref()
  const close = jobs.close.bind(jobs)
  jobs.close = async () => {
    clearInterval(timer)
    await close()
  }
  return jobs
}
