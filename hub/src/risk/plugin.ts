/**
 * The advisories + risk register feature: loads stored advisories, builds the correlation engine from
 * every device's stored inventory, reconciles the register, hooks into ingest, watches the advisory
 * folder, and serves the advisories, findings, VEX, posture and webhook APIs. Closed in onClose.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { API_PREFIX, CorrelationStats, type FindingView } from '@vigil/protocol'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { CORRELATION_JOB, followCluster } from './cluster-follow.js'
import { AdvisoryDb } from './correlation/advisory-db.js'
import { VendorAliasDb, vendorAliasRoutes } from './correlation/aliases.js'
import { CorrelationEngine } from './correlation/engine.js'
import { advisoryRoutes } from './correlation/routes.js'
import { AdvisoryService } from './correlation/service.js'
import { FolderWatch } from './correlation/watch.js'
import { type FindingsSource, withPatch } from './findings-port.js'
import { GovernanceDb } from './posture/governance.js'
import { postureRoutes } from './posture/routes.js'
import { RegisterDb } from './register/records.js'
import { type RegisterEvent, RiskRegister } from './register/register.js'
import { registerRoutes } from './register/routes.js'
import { registerEmitter } from './register-emit.js'
import { ContextDb } from './ssvc/context-db.js'
import { SsvcDecider } from './ssvc/decider.js'
import { riskRoutes } from './ssvc/routes.js'
import { ContextService } from './ssvc/service.js'
import { WebhookDispatcher } from './webhooks/dispatcher.js'
import { webhookRoutes } from './webhooks/routes.js'

/** What other hub parts may use: the device page's findings, and register changes for the live stream. */
export interface RiskRegisterAccess {
  /** Findings of one device (all states), as `GET /api/v1/findings?device=` shows them. */
  findingsOf(deviceId: string): FindingView[]
  /** Every register change (new, transition, resolved, reopened, overdue, expiring); returns an unsubscribe. */
  onEvent(listener: (event: RegisterEvent) => void): () => void
  /**
   * Several hubs: a finding record another hub stored (created or changed there) reached this hub's
   * register (change feed). Its view is `finding(id)`. Never told for this hub's own changes (those are
   * `onEvent`); returns an unsubscribe.
   */
  onRemote(listener: (findingId: string) => void): () => void
  /** One finding as `GET /api/v1/findings/:id` shows it. */
  finding(id: string): FindingView | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the risk-register feature (undefined in builds without it). */
    riskRegister?: RiskRegisterAccess
    /** The running hub's advisory intake (feeds, uploads), set by the risk-register feature. */
    advisoryIntake?: AdvisoryService
    /** Clinical asset context (PATCH /api/v1/devices/:id `context`), set by the risk-register feature. */
    assetContext?: ContextService
  }
}

const feature: FastifyPluginAsync = async (app) => {
  const hub = app.hub
  const log = app.log.child({ feature: 'register' })
  const onError = (err: unknown) => log.error({ err }, 'register feature error')

  const advisoryDb = await AdvisoryDb.open(hub.store)
  const stored = await advisoryDb.load((file, err) => log.warn({ err, file }, 'unreadable stored advisory'))
  const dispatcher = new WebhookDispatcher({
    store: hub.store,
    onError,
    leader: () => hub.jobs.holds('webhooks.deliver'),
  })
  // A hub that takes the deliveries over sends what is due at once.
  const offJobs = hub.jobs.onChange((job, held) => {
    if (job === 'webhooks.deliver' && held) dispatcher.kick()
  })
  await dispatcher.start()
  const db = await RegisterDb.open(hub.store)
  const governance = await GovernanceDb.open(hub.store)

  const aliases = await VendorAliasDb.open(hub.store)
  const contexts = await ContextDb.open(hub.store)

  const listeners = new Set<(event: RegisterEvent) => void>()
  const remoteListeners = new Set<(findingId: string) => void>()
  let register: RiskRegister | undefined
  // Several hubs: one hub writes what correlation finds (cluster-follow.ts); the others' engines follow.
  const writes = () => hub.jobs.holds(CORRELATION_JOB)
  const engine = new CorrelationEngine(aliases.matcher(), (devices, advisory) => {
    if (writes()) register?.reconcileMany(devices, advisory)
  })
  engine.enrichment = stored.enrichment
  for (const a of stored.advisories) engine.advisories.upsert(a)
  const decider = new SsvcDecider(engine, contexts, (id) => hub.registry.get(id)?.identity)

  const deviceName = (id: string) => hub.registry.get(id)?.name ?? id
  register = new RiskRegister({
    db,
    engine,
    deviceName,
    audit: (entry) => hub.audit(entry),
    decider,
    sweeps: () => hub.jobs.holds('register.sweep'),
    emit: registerEmitter({
      listeners,
      dispatcher,
      feed: (item) => hub.events.emit('feed', item),
      deviceName,
      onError,
    }),
  })
  const reg = register
  const contextService = new ContextService({
    db: contexts,
    register: reg,
    devices: hub.registry,
    audit: (entry) => hub.audit(entry),
  })
  app.decorate('assetContext', contextService)
  app.decorate('riskRegister', {
    findingsOf: (deviceId: string) => reg.views(deviceId),
    onEvent(listener: (event: RegisterEvent) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onRemote(listener: (findingId: string) => void) {
      remoteListeners.add(listener)
      return () => remoteListeners.delete(listener)
    },
    finding: (id: string) => reg.get(id),
  } satisfies RiskRegisterAccess)
  app.decorate('findings', { views: (deviceId?: string) => reg.views(deviceId) } satisfies FindingsSource)

  const follow = followCluster({
    store: hub.store,
    jobs: hub.jobs,
    engine,
    advisories: advisoryDb,
    register: reg,
    onError,
    onTakeover: (devices) => log.info({ devices }, 'correlation taken over: every device reconciled'),
    onFollowed: (id) => {
      for (const l of remoteListeners) {
        try {
          l(id)
        } catch (err) {
          onError(err)
        }
      }
    },
  })

  // Derive every device's findings from what the store holds (identical images are correlated once).
  const images = new Map<string, Awaited<ReturnType<typeof hub.store.inventories.get>>>()
  for (const device of hub.registry.all()) {
    const hash = device.inventoryHash
    if (hash !== undefined && !images.has(hash)) images.set(hash, await hub.store.inventories.get(hash))
    const inv = hash !== undefined ? images.get(hash) : undefined
    if (inv) engine.setInventory(device.id, inv)
    engine.setIdentity(device.id, device.identity, inv?.firmwareVersion)
    follow.inventory(device.id, hash, inv?.firmwareVersion)
  }
  if (writes()) for (const id of engine.deviceIds()) reg.reconcile(id)

  const offHooks = hub.hooks.add({
    onInventory(deviceId, inventory) {
      const changed = engine.setInventory(deviceId, inventory)
      const identityChanged = engine.setIdentity(
        deviceId,
        hub.registry.get(deviceId)?.identity,
        inventory.firmwareVersion,
      )
      follow.inventory(deviceId, inventory.hash, inventory.firmwareVersion)
      if ((changed || identityChanged) && writes()) reg.reconcile(deviceId)
    },
    onDevice(device) {
      if (engine.setIdentity(device.id, device.identity) && writes()) reg.reconcile(device.id)
    },
  })
  const offRegistry = hub.registry.onChange((c) => {
    if (c.type === 'removed') {
      engine.removeDevice(c.id)
      // Several hubs: the device's removal reaches every hub; its records (and the audit entry saying
      // so) are deleted by one, and the others' memory follows the change feed.
      if (writes()) reg.forgetDevice(c.id)
      contexts.forgetDevice(c.id)
    }
  })

  const service = new AdvisoryService(engine, advisoryDb)
  app.decorate('advisoryIntake', service)
  const watcher = new FolderWatch({
    dir: join(hub.config.dataDir, 'advisories'),
    debounceMs: 300,
    importPaths: (paths) => service.importPaths(paths),
    onSummary: (s) => {
      for (const r of s.rejected) log.warn({ file: r.file }, `advisory refused: ${r.reason}`)
      if (s.imported.length + s.updated.length > 0)
        log.info(
          `advisories: ${s.imported.length} imported, ${s.updated.length} updated from the watched folder`,
        )
    },
    onError,
  })
  await watcher.start()

  const flush = setInterval(() => {
    db.flush().catch(onError)
    dispatcher.flush().catch(onError)
    governance.flush().catch(onError)
  }, hub.config.flushIntervalMs)
  flush.unref()
  const sweep = setInterval(() => reg.sweep(), 60_000)
  sweep.unref()

  // Routes are declared relative and served under the one API prefix (this plugin is fp-wrapped, so
  // it ignores a prefix itself: its own route goes into a plain nested plugin).
  const api = { prefix: API_PREFIX }
  await app.register(advisoryRoutes({ engine, service, register: reg, tempDir: tmpdir() }), api)
  await app.register(
    registerRoutes(reg, (f) => withPatch(app.patches, f)),
    api,
  )
  await app.register(postureRoutes({ register: reg, engine, governance }), api)
  await app.register(webhookRoutes(dispatcher), api)
  await app.register(
    riskRoutes(contextService, reg, (f) => withPatch(app.patches, f)),
    api,
  )
  await app.register(
    vendorAliasRoutes(aliases, (matcher) => engine.setVendors(matcher)),
    api,
  )
  await app.register(async (routes) => {
    routes.get(
      '/correlation/stats',
      { onRequest: routes.requireRole('admin', 'operator'), schema: { response: { 200: CorrelationStats } } },
      async () => ({
        ...engine.stats(),
        /** SSVC decisions computed since start (issue 17: tells incremental from full recomputation). */
        decisions: decider.stats().decisions,
      }),
    )
  }, api)

  app.addHook('onClose', async () => {
    offJobs()
    follow.close()
    offHooks()
    offRegistry()
    clearInterval(flush)
    clearInterval(sweep)
    await watcher.close()
    await dispatcher.stop()
    await db.close()
    await governance.close()
  })
}

/**
 * Needs: `hub` (vigil-core), `requireRole` (vigil-auth); reads `patches` (vigil-manifests) when present.
 * Offers: `riskRegister`, `findings`, `advisoryIntake`, `assetContext`.
 */
export const riskRegisterFeature = fp(feature, {
  name: 'vigil-risk-register',
  decorators: { fastify: ['hub', 'requireRole'] },
  dependencies: ['vigil-core', 'vigil-auth'],
})
