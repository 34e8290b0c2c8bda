/**
 * The feeds feature: loads the feed records and their state, seeds the presets on a fresh hub, runs
 * the scheduler, serves `/api/v1/feeds`, and exports per-feed Prometheus metrics. Syncs hand their
 * documents to the risk-register feature's advisory intake, so they reach correlation at once.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { API_PREFIX } from '@vigil/protocol'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { FeedDb } from './db.js'
import type { HttpPolicy } from './http.js'
import { feedRoutes } from './routes.js'
import { FeedService } from './service.js'

export interface FeedsOptions {
  /** Tests shorten the HTTP policy and drive the scheduler themselves. */
  http?: Partial<HttpPolicy>
  tickMs?: number
  scheduler?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the feeds feature. */
    feeds?: FeedService
  }
}

const feature: FastifyPluginAsync<FeedsOptions> = async (app, opts) => {
  const hub = app.hub
  const log = app.log.child({ feature: 'feeds' })
  const intake = app.advisoryIntake
  if (!intake) throw new Error('the feeds feature needs the risk-register feature (advisory intake)')
  const { db, fresh } = await FeedDb.open(hub.store)
  const tempDir = join(hub.config.dataDir, 'feeds', 'tmp')
  await mkdir(tempDir, { recursive: true })
  const service = new FeedService({
    db,
    intake,
    tempDir,
    http: {
      timeoutMs: hub.config.feedTimeoutMs,
      retries: hub.config.feedRetries,
      backoffMs: hub.config.feedBackoffMs,
      ...opts.http,
    },
    tickMs: opts.tickMs ?? hub.config.feedTickMs,
    leader: () => hub.jobs.holds('feeds.sync'),
    onError: (err) => log.error({ err }, 'feed error'),
  })
  service.seedPresets(fresh)
  await db.flush()
  app.decorate('feeds', service)

  const views = () => service.list()
  new Gauge({
    name: 'vigil_feed_last_success_timestamp_seconds',
    help: 'When each feed last synced successfully (Unix seconds; absent until it did)',
    labelNames: ['feed', 'kind'] as const,
    registers: [hub.metrics.registry],
    collect() {
      this.reset()
      for (const f of views())
        if (f.lastSuccessAt) this.set({ feed: f.name, kind: f.kind }, Date.parse(f.lastSuccessAt) / 1000)
    },
  })
  new Gauge({
    name: 'vigil_feed_last_sync_ok',
    help: 'Whether each enabled feed’s last sync succeeded (1) or failed (0)',
    labelNames: ['feed', 'kind'] as const,
    registers: [hub.metrics.registry],
    collect() {
      this.reset()
      for (const f of views()) if (f.lastSync) this.set({ feed: f.name, kind: f.kind }, f.lastSync.ok ? 1 : 0)
    },
  })
  new Gauge({
    name: 'vigil_feed_refused_documents',
    help: 'Documents each feed refuses (hash, signature, schema, mandatory tests, missing)',
    labelNames: ['feed', 'kind'] as const,
    registers: [hub.metrics.registry],
    collect() {
      this.reset()
      for (const f of views())
        if (f.lastSync) this.set({ feed: f.name, kind: f.kind }, f.lastSync.refused.length)
    },
  })
  new Counter({
    name: 'vigil_feed_sync_errors_total',
    help: 'Failed syncs per feed since it was added',
    labelNames: ['feed', 'kind'] as const,
    registers: [hub.metrics.registry],
    collect() {
      this.reset()
      for (const f of db.feeds.values()) {
        const errors = service.stateOf(f.id)?.errors ?? 0
        if (errors > 0) this.inc({ feed: f.name, kind: f.kind }, errors)
      }
    },
  })

  await app.register(feedRoutes(service, intake, tempDir), { prefix: API_PREFIX })
  app.addHook('onReady', async () => {
    if (opts.scheduler !== false) service.start()
  })
  app.addHook('onClose', async () => {
    await service.close()
  })
}

/** Needs: `hub`, `requireRole`, `advisoryIntake` (vigil-risk-register). Offers: `feeds`. */
export const feedsFeature = fp(feature, {
  name: 'vigil-feeds',
  decorators: { fastify: ['hub', 'requireRole', 'advisoryIntake'] },
  dependencies: ['vigil-core', 'vigil-auth', 'vigil-risk-register'],
})
