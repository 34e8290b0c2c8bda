/**
 * The core plugin: opens the store, creates the shared services, creates `admin` on first start, and on
 * close stops the broker and flushes the store — in that order.
 */
import fp from 'fastify-plugin'
import { ensureAdmin } from './auth/users.js'
import type { HubConfig } from './config.js'
import type { HubContext } from './context.js'
import { CommandDispatcher } from './devices/commands.js'
import { DeviceRegistry } from './devices/registry.js'
import { TelemetryHistory } from './devices/telemetry-history.js'
import { HubEvents } from './events/hub-events.js'
import { BlobCollector } from './ingest/blob-collector.js'
import { IngestHookSet } from './ingest/hooks.js'
import { startJobs } from './jobs/start.js'
import { createMetrics } from './metrics/metrics.js'
import { bridgePresence } from './realtime/cluster-presence.js'
import { openStore } from './store/open.js'

export const corePlugin = fp<{ config: HubConfig }>(
  async (app, { config }) => {
    const metrics = createMetrics()
    const store = await openStore(config, {
      onFlush: ({ ms, bytes, maxSerializeMs }) => {
        metrics.storeWriteDuration.observe(ms / 1000)
        metrics.storeWriteBytes.set(bytes)
        metrics.storeSerializeMax.set(maxSerializeMs / 1000)
      },
      onCommit: ({ ms }) => metrics.storeCommitDuration.observe(ms / 1000),
      onError: (err) => {
        metrics.storeErrors.inc()
        app.log.error({ err }, 'store write failed')
      },
    })
    // Without effect on PostgreSQL (the database makes commits durable): said only where it applies.
    if (config.unsafeNoFsync === true && !config.databaseUrl) {
      app.log.warn(
        'VIGIL_UNSAFE_NO_FSYNC is set: the store journal is never fsynced, acknowledged data can be lost to a power cut (benchmarks only)',
      )
    }
    metrics.storeHealthy.set(1)
    const healthTimer = setInterval(() => metrics.storeHealthy.set(store.health().ok ? 1 : 0), 1000)
    healthTimer.unref()
    const registry = new DeviceRegistry(store)
    // Behind an external broker shared by several hubs, devices stay connected to the broker while a hub
    // restarts: their state messages (and wills) say when they go offline, not this hub's start.
    if (!(store.cluster && config.mqttUrl)) registry.markAllOffline()
    for (const s of store.sessions.values())
      if (Date.parse(s.expiresAt) <= Date.now()) store.sessions.delete(s.id)
    const admin = await ensureAdmin(store, config.adminPassword)
    const jobs = await startJobs(config, store, metrics, app.log)
    const ctx: HubContext = {
      config,
      store,
      registry,
      telemetry: new TelemetryHistory(),
      events: new HubEvents(),
      metrics,
      hooks: new IngestHookSet(),
      commands: new CommandDispatcher(() => ctx.bus),
      blobs: new BlobCollector(store, config.blobGraceSec * 1000),
      log: app.log,
      jobs,
      bus: undefined,
      brokerCredentials: undefined,
      generatedAdminPassword: admin.generatedPassword,
      ready: false,
      audit(entry) {
        store.audit.append({ ts: new Date().toISOString(), ...entry })
      },
    }
    // Several hubs: lastSeen and the latest telemetry figures reach the others once a second, batched.
    const presence = store.cluster
      ? bridgePresence({
          channel: store.cluster,
          store,
          registry,
          onError: (err) => app.log.warn({ err }, 'presence: sending to other hubs failed'),
        })
      : undefined
    if (admin.created) ctx.audit({ actor: 'system', action: 'user.create', target: 'admin', ok: true })
    await store.commit()
    app.decorate('hub', ctx)
    const sweepTimer = setInterval(() => {
      ctx.blobs.sweep().then(
        ({ deleted }) => {
          if (deleted.inventory + deleted.hardening > 0)
            app.log.info({ deleted }, 'collected unreferenced inventories and hardening reports')
        },
        (err: unknown) => app.log.warn({ err }, 'blob sweep failed'),
      )
    }, config.blobSweepIntervalSec * 1000)
    sweepTimer.unref()
    app.addHook('onReady', async () => {
      ctx.ready = true
    })
    app.addHook('onClose', async () => {
      ctx.ready = false
      clearInterval(healthTimer)
      clearInterval(sweepTimer)
      presence?.stop()
      await jobs.close()
      ctx.commands.close()
      await ctx.bus?.close()
      ctx.bus = undefined
      await ctx.brokerCredentials?.close()
      ctx.brokerCredentials = undefined
      await store.close()
      metrics.close()
    })
  },
  { name: 'vigil-core' },
)
