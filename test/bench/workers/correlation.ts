/**
 * Correlation at fleet scale with the hub's advisories module (built): every advisory in testdata/,
 * `devices` devices over `images` gateway images. Identical inventories are correlated once and device
 * identities (vendor, model, firmware) once, as issue 5 prescribes; an index from package/product keys to
 * images lets a new advisory touch only the images holding its keys.
 */
import { join } from 'node:path'
import type { Inventory } from '@vigil/protocol'
import { loadAdvisories, type MatchDevice, type MatchTarget } from '../lib/hub-modules.ts'
import { identityOf as baseIdentityOf, buildImages } from '../lib/images.ts'
import { REPO_ROOT, report, workerMain } from '../lib/proc.ts'
import { percentile, sortNumbers } from '../lib/stats.ts'
import { modelsFrom } from './correlation-models.ts'

const DATA = join(REPO_ROOT, 'testdata')

workerMain<{ devices: number; images: number }>(async (opts) => {
  const m = await loadAdvisories()
  let t = performance.now()
  const imported = await m.importAdvisories(
    ['csaf-cisa', 'csaf-oasis', 'kev', 'osv'].map((d) => join(DATA, d)),
  )
  const importSeconds = (performance.now() - t) / 1000
  const index = imported.index
  if (!index) throw new Error('import answered no index')
  const enrich = { kev: imported.kev, epss: imported.epss }
  const images = buildImages(opts.images)
  const models = modelsFrom(index.all(), opts.images)
  const identityOf = (n: number, count: number) => baseIdentityOf(n, count, models)

  // Full pass.
  t = performance.now()
  const keyToImages = new Map<string, Set<number>>()
  const packageFindings: number[] = []
  const hits = new Map<string, number>()
  for (const [i, image] of images.entries()) {
    const target = m.targetFromInventory(identityOf(i, opts.images), image)
    const deviceKeys = target.devices.flatMap((d) => m.keysForDevice(d, index.vendors))
    for (const keys of [deviceKeys, ...target.packages.map((p) => m.keysForPackage(p))]) {
      for (const k of keys) {
        const set = keyToImages.get(k) ?? new Set<number>()
        set.add(i)
        keyToImages.set(k, set)
      }
    }
    const found = m.correlate({ devices: [], packages: target.packages }, index, enrich)
    packageFindings.push(found.length)
    for (const f of found) hits.set(f.advisory, (hits.get(f.advisory) ?? 0) + 1)
  }
  const deviceFindings = new Map<string, number>()
  let findings = 0
  for (let n = 0; n < opts.devices; n++) {
    const identity = identityOf(n, opts.images)
    const image = n % images.length
    const d: MatchDevice | undefined =
      identity.vendor && identity.model && identity.firmwareVersion
        ? { vendor: identity.vendor, model: identity.model, firmware: identity.firmwareVersion, purl: null }
        : undefined
    let own = 0
    if (d) {
      const key = `${d.vendor}|${d.model}|${d.firmware}`
      let count = deviceFindings.get(key)
      if (count === undefined) {
        const found = m.correlate({ devices: [d], packages: [] }, index, enrich)
        for (const f of found) hits.set(f.advisory, (hits.get(f.advisory) ?? 0) + 1)
        count = found.length
        deviceFindings.set(key, count)
      }
      own = count
    }
    findings += (packageFindings[image] ?? 0) + own
  }
  const fullSeconds = (performance.now() - t) / 1000

  // One changed inventory: a package upgraded on one device → a new image correlated on its own.
  const base = images[0] as Inventory
  const times: number[] = []
  for (let r = 0; r < 30; r++) {
    const packages = base.packages.map((p, j) => (j === r * 7 ? { ...p, version: `${p.version}+b${r}` } : p))
    const changed: Inventory = { ...base, packages }
    const s = performance.now()
    const target: MatchTarget = m.targetFromInventory(identityOf(0, opts.images), changed)
    for (const p of target.packages) for (const k of m.keysForPackage(p)) keyToImages.get(k)?.add(0)
    m.correlate(target, index, enrich)
    times.push(performance.now() - s)
  }
  const perInventory = sortNumbers(times)

  // One new advisory: a new revision-less copy of the advisory that hits the most images.
  const [topId] = [...hits.entries()].sort((a, b) => b[1] - a[1])[0] ?? []
  const template =
    [...index.all()].find((a) => a.id === topId) ?? [...index.all()].find((a) => a.packages.length > 0)
  const newTimes: number[] = []
  let touched = 0
  for (let r = 0; template && r < 10; r++) {
    const fresh = { ...template, id: `BENCH-NEW-${r}`, revision: '2099-01-01T00:00:00Z' }
    const s = performance.now()
    index.upsert(fresh)
    const affected = new Set<number>()
    for (const k of index.keysOf(fresh)) for (const i of keyToImages.get(k) ?? []) affected.add(i)
    for (const i of affected) {
      const image = images[i] as Inventory
      const target = m.targetFromInventory(identityOf(i, opts.images), image)
      const keys = new Set(index.keysOf(fresh))
      const packages = target.packages.filter((p) => m.keysForPackage(p).some((k) => keys.has(k)))
      const devices = target.devices.filter((d) => m.keysForDevice(d, index.vendors).some((k) => keys.has(k)))
      m.correlate({ devices, packages }, index, enrich)
    }
    newTimes.push(performance.now() - s)
    touched = affected.size
  }
  const perAdvisory = sortNumbers(newTimes)

  report({
    type: 'result',
    devices: opts.devices,
    uniqueInventories: images.length,
    uniqueDeviceIdentities: deviceFindings.size,
    packagesPerInventory: Math.round(images.reduce((n, i) => n + i.packages.length, 0) / images.length),
    advisories: index.size,
    kevEntries: imported.kev.size,
    rejectedFiles: imported.rejected.length,
    importSeconds,
    fullSeconds,
    findings,
    perInventoryMs: percentile(perInventory, 50),
    perInventoryP95Ms: percentile(perInventory, 95),
    newAdvisoryMs: percentile(perAdvisory, 50),
    newAdvisoryImagesTouched: touched,
    newAdvisoryBasedOn: template?.id ?? null,
  })
})
