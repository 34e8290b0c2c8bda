/**
 * The manifests feature: vendors and their keys, signed manifest pushes, applicability, rollouts and
 * key-rotation delivery. Hooks into ingest for births (deliver what is pending) and rollout reports.
 */
import { API_PREFIX, type CommandResponse, type TrustBundle, type VendorTrust } from '@vigil/protocol'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { applicability } from './applicability.js'
import { ManifestDb } from './db.js'
import { PatchIndex } from './patch-index.js'
import { RolloutEngine } from './rollout.js'
import { manifestRoutes } from './routes.js'
import { ManifestService } from './service.js'
import { TrustDb } from './trust/db.js'
import { TrustDistribution } from './trust/distribution.js'
import { trustRoutes } from './trust/routes.js'
import { TrustService } from './trust/service.js'
import { trustCheckRoute } from './trust-check.js'
import { VendorDb, type VendorRecord, vendorTrust } from './vendors/db.js'
import { vendorRoutes } from './vendors/routes.js'
import { VendorService } from './vendors/service.js'

/** What devices receive at enrollment: the vendors' current keys and the operator root chain. */
export interface EnrollmentTrust {
  vendors(): VendorTrust[]
  bundle(): TrustBundle
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Offered by the manifests feature (`vigil-manifests`); enrollment hands it out. Undefined without it. */
    enrollmentTrust?: EnrollmentTrust
  }
}

/** How often the holder of `rollouts.advance` looks for finished waves that other hubs reported. */
const ROLLOUT_SWEEP_MS = 2_000

const feature: FastifyPluginAsync = async (app) => {
  const hub = app.hub
  const log = app.log.child({ feature: 'manifests' })
  const onError = (err: unknown) => log.error({ err }, 'manifests feature error')
  const vendorDb = await VendorDb.open(hub.store)
  const db = await ManifestDb.open(hub.store)

  /**
   * The rotation sequence each device answered it holds, per vendor (in memory: after a hub restart the
   * first birth sends everything again, and the agents answer what they hold).
   */
  const held = new Map<string, Map<string, number>>()
  const remember = (deviceId: string, vendorId: string, res: CommandResponse | undefined) => {
    const sequence = res?.status === 'ok' ? res.data?.sequence : undefined
    if (typeof sequence !== 'number') return
    const perVendor = held.get(deviceId) ?? new Map<string, number>()
    perVendor.set(vendorId, Math.max(sequence, perVendor.get(vendorId) ?? 0))
    held.set(deviceId, perVendor)
  }
  /** The rotations a device does not hold yet, oldest first (all of them while the hub does not know). */
  const sendRotations = async (deviceId: string, vendors: readonly VendorRecord[]) => {
    for (const v of vendors) {
      const has = held.get(deviceId)?.get(v.id) ?? -1
      for (const r of v.rotations) {
        if (r.sequence <= has) continue
        // Published one after another (the agent applies them in order); answers are awaited aside.
        const { response } = await hub.commands.dispatch(
          deviceId,
          { cmd: 'apply-key-rotation', envelope: r.envelope },
          60_000,
        )
        response.then((res) => remember(deviceId, v.id, res)).catch(onError)
      }
    }
  }
  const vendors = new VendorService({
    hub,
    db: vendorDb,
    onRotation(vendor) {
      const online = hub.registry.all().filter((d) => d.online)
      Promise.all(online.map((d) => sendRotations(d.id, [vendor]))).catch(onError)
    },
  })
  const trust = new TrustService({
    db: await TrustDb.open(hub.store),
    vendors: () => vendors.list(),
    audit: (e) => hub.audit(e),
  })
  const trustDelivery = await TrustDistribution.open(hub, trust)
  const engine = new RolloutEngine(hub, db, undefined, () => hub.jobs.holds('rollouts.advance'))
  const service = new ManifestService(
    {
      config: hub.config,
      audit: (entry) => hub.audit(entry),
      events: hub.events,
      registry: hub.registry,
      findings: () => app.findings,
    },
    db,
    vendors,
  )
  const patches = new PatchIndex(
    () => db.manifests.values(),
    () => hub.registry.all(),
  )
  app.decorate('patches', patches)
  service.onAccepted = () => patches.invalidate()
  const offRegistry = hub.registry.onChange((c) => {
    if (c.type === 'removed') {
      patches.forget(c.id)
      held.delete(c.id)
    } else patches.deviceChanged(c.device)
  })

  const offHooks = hub.hooks.add({
    async onDevice(device) {
      if (!device.online || device.lastState?.status !== 'online') return
      // The operator root and delegations first: a manifest of a newly delegated vendor needs them.
      if (trustDelivery.lacks(device)) await trustDelivery.send(device.id)
      await sendRotations(device.id, vendors.list())
      const now = Date.now()
      for (const m of service.list())
        if (Date.parse(m.payload.expiresAt) > now && applicability(m.payload, device).applies)
          engine.joinLate(m, device.id)
      await engine.onOnline(device.id)
      await db.flush()
    },
    async onRollout(deviceId, status) {
      await engine.onReport(deviceId, status)
    },
  })

  const flush = setInterval(() => {
    db.flush().catch(onError)
    vendorDb.flush().catch(onError)
  }, hub.config.flushIntervalMs)
  flush.unref()
  // Rollout waves auto-advance on the one hub holding `rollouts.advance`: reports another hub handled
  // reach it through the change feed and a periodic sweep; a sweep when it takes the job over finishes
  // a dead holder's work. One hub alone (no cluster channel: the embedded engine) handles every report
  // in-process, and a resume advances a wave finished meanwhile: no timer there, one sweep at start for
  // what a stop between a report and its wave left.
  const sweep = () => {
    hub.jobs.runExclusive('rollouts.advance', () => engine.sweep()).catch(onError)
  }
  const sweeper = hub.store.cluster ? setInterval(sweep, ROLLOUT_SWEEP_MS) : undefined
  sweeper?.unref()
  const offJobs = hub.jobs.onChange((name, held) => {
    if (name === 'rollouts.advance' && held) sweep()
  })
  sweep()

  // Devices enrolled from now on trust the vendors' current keys; rotations change them afterwards.
  app.decorate('enrollmentTrust', {
    vendors: () => vendors.list().map(vendorTrust),
    bundle: () => trust.bundle(),
  } satisfies EnrollmentTrust)
  await app.register(
    trustRoutes(trust, trustDelivery, () => vendors.list()),
    { prefix: API_PREFIX },
  )
  await app.register(vendorRoutes(vendors), { prefix: API_PREFIX })
  await app.register(manifestRoutes(service, engine, db), { prefix: API_PREFIX })
  await app.register(
    trustCheckRoute(service, trust, trustDelivery, () => vendors.list()),
    {
      prefix: API_PREFIX,
    },
  )

  app.addHook('onClose', async () => {
    offHooks()
    offRegistry()
    offJobs()
    clearInterval(flush)
    clearInterval(sweeper)
    await db.flush()
    await vendorDb.flush()
  })
}

/**
 * Needs: `hub` (vigil-core), `requireRole` (vigil-auth); reads `findings` (vigil-risk-register) when present.
 * Offers: `patches`, `enrollmentTrust`.
 */
export const manifestsFeature = fp(feature, {
  name: 'vigil-manifests',
  decorators: { fastify: ['hub', 'requireRole'] },
  dependencies: ['vigil-core', 'vigil-auth'],
})
