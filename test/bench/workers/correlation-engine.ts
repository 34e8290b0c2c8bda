/**
 * Correlation at fleet scale through the hub's own `CorrelationEngine` (built hub/dist/risk/correlation):
 * every advisory in testdata/ imported through its sink, then `devices` devices over `images`
 * gateway images given their inventory and identity (identical targets are correlated once by the
 * engine), then one changed inventory, then one new advisory. Every timed step includes the SSVC
 * decisions of the findings it changed (built hub/dist/risk/ssvc `SsvcDecider`, contexts in a real store),
 * as the hub's register does; `contextChangeMs` = a model default set for the model 1,000 devices share
 * (every tenth device), their findings decided again (issue 17). One new advisory decides only its own
 * findings: `newAdvisoryWithSsvcMs` runs the hub's own `RiskRegister.reconcile` (built hub/dist/risk/register,
 * records in the real store), as the hub does when the engine reports the one advisory it upserted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeviceIdentity, Inventory } from '@vigil/protocol'
import {
  type Advisory,
  loadAdvisories,
  loadCorrelation,
  loadRegister,
  loadRegisterEmit,
  loadRisk,
  loadStore,
} from '../lib/hub-modules.ts'
import { identityOf as baseIdentityOf, buildImages } from '../lib/images.ts'
import { REPO_ROOT, report, workerMain } from '../lib/proc.ts'
import { percentile, sortNumbers } from '../lib/stats.ts'
import { modelsFrom } from './correlation-models.ts'

const DATA = join(REPO_ROOT, 'testdata')

/**
 * `n` advisories more, "synthetic but realistic": copies of the real OSV advisories with new ids. A
 * copy of a Debian advisory is about a source package of the fleet's images (round-robin over their
 * names, as a distro's database covers what a distro ships: ~n / 7 / names advisories per installed
 * source package, every one a candidate the engine evaluates); as in a real database most of those
 * were fixed long ago (range `>=0 <0.0.0.1`), one in `OPEN` keeps the real advisory's ranges. A copy
 * of any other advisory keeps its package (not on these images: it only fills the index, as most of
 * a 100,000-record database does for one fleet).
 */
const OPEN = 100

function synthetic(real: Advisory[], names: string[], n: number): Advisory[] {
  const osv = real.filter((a) => a.source === 'osv' && a.packages.length > 0)
  const out: Advisory[] = []
  const old = (p: Advisory['packages'][number]) => ({
    ...p,
    ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: '0.0.0.1' }] }],
    versions: [],
    affected: '>=0 <0.0.0.1',
    fixed: '0.0.0.1',
  })
  for (let i = 0; i < n; i++) {
    const base = osv[i % osv.length] as Advisory
    const deb = base.packages.some((p) => p.purlType === 'deb')
    const name = names[i % names.length] as string
    out.push({
      ...base,
      id: `${base.id}-S${i}`,
      packages: deb
        ? base.packages.map((p) =>
            p.purlType !== 'deb' ? p : { ...(i % OPEN === 0 ? p : old(p)), name, release: null },
          )
        : base.packages,
    })
  }
  return out
}

/**
 * With `stepProfileDir` (the section's `--cpu-prof`) one step alone is profiled too (the new-advisory
 * step is well under 1 % of the whole worker's samples); `stop` writes `<dir>/<name>.cpuprofile`.
 */
async function startStepProfile(dir: string | undefined) {
  if (dir === undefined) return undefined
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  return {
    async stop(name: string) {
      const { profile } = await session.post('Profiler.stop')
      await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile))
      session.disconnect()
    },
  }
}

type Options = { devices: number; images: number; synthetic: number; stepProfileDir?: string }

workerMain<Options>(async (opts, onStop) => {
  const { CorrelationEngine } = await loadCorrelation()
  const adv = await loadAdvisories()
  const { ContextDb, SsvcDecider } = await loadRisk()
  const { RegisterDb, RiskRegister } = await loadRegister()
  const { registerEmitter, WebhookDispatcher } = await loadRegisterEmit()
  const { LowdbStore } = await loadStore()
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-risk-'))
  onStop(() => rm(dir, { recursive: true, force: true }))
  const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 3_600_000 })
  /** The register's webhook dispatcher (below) stops before the store closes. */
  let stopDispatcher: (() => Promise<void>) | undefined
  onStop(async () => {
    await stopDispatcher?.()
    await store.close()
  })
  const contexts = await ContextDb.open(store)
  const registerDb = await RegisterDb.open(store)
  let changed = 0
  /** Devices the engine reported, with the one advisory whose findings alone changed (null: any). */
  const pending = new Map<string, string | null>()
  const engine = new CorrelationEngine(adv.createVendorMatcher(), (ids, advisory) => {
    changed += ids.size
    for (const id of ids) {
      const held = pending.get(id)
      pending.set(id, held === undefined || held === advisory ? (advisory ?? null) : null)
    }
  })
  const identities = new Map<string, DeviceIdentity>()
  const decider = new SsvcDecider(engine, contexts, (id) => identities.get(id))
  /**
   * What the register's `reconcile(deviceId, only)` does after a change: decide the findings of a
   * device the engine reported, only those of `only` when the engine names the one advisory it upserted.
   */
  const decideDevice = (id: string, only: string | null = null) => {
    const scope = {}
    for (const f of engine.findingsFor(id))
      if (only === null || f.advisory === only)
        decider.decisionOf(id, `${id}|${f.advisory}|${f.cve}|${f.component.name}`, f, scope)
  }
  const decidePending = () => {
    for (const [id, only] of pending) decideDevice(id, only)
    pending.clear()
  }
  let t = performance.now()
  const summary = await adv.importAdvisories(
    ['csaf-cisa', 'csaf-oasis', 'kev', 'osv'].map((d) => join(DATA, d)),
    { sink: { upsert: (a) => engine.upsertAdvisory(a) }, vendors: engine.advisories.vendors },
  )
  engine.setEnrichment({ kev: summary.kev, epss: summary.epss, kevVersion: summary.kevVersion })
  const images = buildImages(opts.images)
  if (opts.synthetic > 0) {
    const names = new Set<string>()
    for (const image of images)
      for (const p of adv.targetFromInventory({ hostname: '', os: image.os } as DeviceIdentity, image)
        .packages)
        for (const k of adv.keysForPackage(p)) if (k.startsWith('pkg|deb|*|')) names.add(k.slice(10))
    // In id order: the import's order varies from run to run (files read concurrently), and with it
    // which copies keep their real ranges; sorted, every run holds the same 100,000.
    const real = [...engine.advisories.all()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    for (const a of synthetic(real, [...names].sort(), opts.synthetic)) engine.upsertAdvisory(a)
  }
  const importSeconds = (performance.now() - t) / 1000
  const rssAfterImportMb = Math.round(process.memoryUsage.rss() / 2 ** 20)
  const models = modelsFrom(engine.advisories.all(), opts.images)
  // Every tenth device is the first model (1,000 of 10,000 share it: `contextChangeMs`).
  const identityOf = (n: number) => baseIdentityOf(n % 10 === 0 ? 0 : n, opts.images, models)
  const ids = Array.from({ length: opts.devices }, (_, n) => `dev-${n}`)

  // Full pass: every device's inventory and identity, all advisories loaded, every finding decided.
  // CPU seconds next to wall-clock ones: on a shared machine the process waits for a core.
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since)
    return (u.user + u.system) / 1000
  }
  t = performance.now()
  let cpu = process.cpuUsage()
  let decideMs = 0
  let decideCpuMs = 0
  for (const [n, id] of ids.entries()) {
    const identity = identityOf(n)
    identities.set(id, identity)
    engine.setInventory(id, images[n % images.length] as Inventory)
    engine.setIdentity(id, identity)
    const d = performance.now()
    const dc = process.cpuUsage()
    decideDevice(id)
    decideCpuMs += cpuMs(dc)
    decideMs += performance.now() - d
  }
  const fullSeconds = (performance.now() - t) / 1000
  const fullCpuSeconds = cpuMs(cpu) / 1000
  pending.clear()
  const decisionsFull = decider.stats().decisions
  const afterFull = engine.stats()
  let findings = 0
  const hits = new Map<string, number>()
  for (const id of ids) {
    for (const f of engine.findingsFor(id)) {
      findings++
      hits.set(f.advisory, (hits.get(f.advisory) ?? 0) + 1)
    }
  }
  // Everything again: new vendor aliases re-correlate every target (KEV/EPSS tables are incremental
  // since issue 17: only targets with a finding of a changed CVE).
  t = performance.now()
  engine.setVendors(engine.advisories.vendors)
  decidePending()
  const recorrelateAllSeconds = (performance.now() - t) / 1000

  // One changed inventory: a package upgraded on one device → a new image, correlated on its own.
  const base = images[0] as Inventory
  const times: number[] = []
  cpu = process.cpuUsage()
  for (let r = 0; r < 30; r++) {
    const packages = base.packages.map((p, j) => (j === r * 7 ? { ...p, version: `${p.version}+b${r}` } : p))
    const hash = `${base.hash.slice(0, 56)}${String(r).padStart(8, '0')}`
    const s = performance.now()
    engine.setInventory(ids[0] ?? 'dev-0', { ...base, packages, hash })
    decideDevice(ids[0] ?? 'dev-0')
    times.push(performance.now() - s)
  }
  const perInventoryCpuMs = cpuMs(cpu) / 30
  const perInventory = sortNumbers(times)

  // One new advisory: a copy (new id) of the advisory that hits the most devices, through the hub's
  // real path: the engine names the advisory, the hub's `RiskRegister` reconciles only its findings
  // on each reported device (new records, history, views) and decides them. The register starts empty
  // here: a scoped reconcile reads only the new advisory's findings and records, so the fleet's other
  // records (not created, to keep 100k-advisory runs within memory) would change nothing but a few
  // lookups per device.
  // Its events handled as the hub's are (`registerEmitter`): no dashboard watching, no webhook endpoint;
  // the activity feed gets one item per distinct critical or KEV line of the pass (each naming its devices).
  const dispatcher = new WebhookDispatcher({ store, leader: () => false })
  await dispatcher.start()
  stopDispatcher = () => dispatcher.stop()
  let feedItems = 0
  const register = new RiskRegister({
    db: registerDb,
    engine,
    deviceName: (id) => id,
    audit: () => {},
    emit: registerEmitter({
      listeners: [],
      dispatcher,
      feed: () => {
        feedItems++
      },
      deviceName: (id) => id,
      onError: (err) => {
        throw err
      },
    }),
    decider,
  })
  const [topId] = [...hits.entries()].sort((a, b) => b[1] - a[1])[0] ?? []
  const all = [...engine.advisories.all()]
  const template = all.find((a) => a.id === topId) ?? all.find((a) => a.packages.length > 0)
  const newTimes: number[] = []
  const newWithSsvcTimes: number[] = []
  const newWithSsvcCpu: number[] = []
  const before = engine.stats().correlations
  changed = 0
  const stepProfile = await startStepProfile(opts.stepProfileDir)
  for (let r = 0; template && r < 10; r++) {
    const s = performance.now()
    const sc = process.cpuUsage()
    engine.upsertAdvisory({ ...template, id: `BENCH-NEW-${r}`, revision: '2099-01-01T00:00:00Z' })
    newTimes.push(performance.now() - s)
    // As the hub's plugin does: every device the engine reported for one advisory in one pass.
    const byAdvisory = new Map<string | null, string[]>()
    for (const [id, only] of pending) {
      const devices = byAdvisory.get(only)
      if (devices === undefined) byAdvisory.set(only, [id])
      else devices.push(id)
    }
    for (const [only, devices] of byAdvisory) register.reconcileMany(devices, only ?? undefined)
    pending.clear()
    newWithSsvcTimes.push(performance.now() - s)
    newWithSsvcCpu.push(cpuMs(sc))
    // As the hub does every second (its flush interval) between one advisory and the next: the pass's
    // journal lines committed and checkpointed (not timed). Uncommitted, ten passes' lines would pile up.
    await store.flush()
  }
  await stepProfile?.stop(`correlation-new-advisory-${opts.synthetic}`)
  const perAdvisory = sortNumbers(newTimes)

  // One model's context (the model 1,000 devices share): set its default, decide their findings again.
  const shared = identityOf(0)
  const sharing = ids.filter((_, n) => n % 10 === 0)
  const contextTimes: number[] = []
  const contextCpu: number[] = []
  let contextFindings = 0
  const exposures = ['small', 'controlled', 'open'] as const
  for (let r = 0; r < 5; r++) {
    const s = performance.now()
    const sc = process.cpuUsage()
    contexts.setModel({
      vendor: shared.vendor ?? '',
      model: shared.model ?? '',
      context: { clinicalFunction: 'life-sustaining', exposure: exposures[r % 3] ?? 'open' },
    })
    contextFindings = 0
    for (const [id, identity] of identities) {
      if (identity.vendor !== shared.vendor || identity.model !== shared.model) continue
      const derived = new Map(
        engine.findingsFor(id).map((f) => [`${id}|${f.advisory}|${f.cve}|${f.component.name}`, f]),
      )
      decider.redecide(id, derived)
      contextFindings += derived.size
    }
    contextTimes.push(performance.now() - s)
    contextCpu.push(cpuMs(sc))
  }
  report({
    type: 'result',
    engine: 'hub CorrelationEngine',
    devices: opts.devices,
    uniqueInventories: images.length,
    uniqueDeviceIdentities: models.length,
    targets: afterFull.targets,
    targetCorrelations: afterFull.correlations,
    packagesPerInventory: Math.round(images.reduce((n, i) => n + i.packages.length, 0) / images.length),
    advisories: engine.advisories.size,
    syntheticAdvisories: opts.synthetic,
    rssAfterImportMb,
    rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
    kevEntries: summary.kev.size,
    rejectedFiles: summary.rejected.length,
    importSeconds,
    fullSeconds,
    // of which deciding SSVC for every finding (the register's decider, not correlation)
    fullDecideSeconds: decideMs / 1000,
    fullDecideCpuSeconds: decideCpuMs / 1000,
    fullCpuSeconds,
    recorrelateAllSeconds,
    findings,
    perInventoryMs: percentile(perInventory, 50),
    perInventoryP95Ms: percentile(perInventory, 95),
    perInventoryCpuMs,
    newAdvisoryMs: percentile(perAdvisory, 50),
    // the engine's work (the figure of issue 5), then with the register's reconcile of its findings
    newAdvisoryWithSsvcMs: percentile(sortNumbers(newWithSsvcTimes), 50),
    newAdvisoryWithSsvcCpuMs: percentile(sortNumbers(newWithSsvcCpu), 50),
    newAdvisoryTargetsCorrelated: Math.round(
      (engine.stats().correlations - before) / Math.max(1, newTimes.length),
    ),
    newAdvisoryDevicesChanged: Math.round(changed / Math.max(1, newTimes.length)),
    newAdvisoryBasedOn: template?.id ?? null,
    newAdvisoryFeedItems: Math.round(feedItems / Math.max(1, newTimes.length)),
    ssvcDecisionsFull: decisionsFull,
    contextChangeMs: percentile(sortNumbers(contextTimes), 50),
    contextChangeCpuMs: percentile(sortNumbers(contextCpu), 50),
    contextChangeDevices: sharing.length,
    contextChangeFindings: contextFindings,
  })
})
