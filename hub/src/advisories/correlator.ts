/**
 * Incremental correlation (issue 5 point 4), pure and in memory, for the hub's ingest hooks:
 * - package findings are computed once per inventory hash (identical gateway images share them);
 * - device (CSAF) findings once per vendor/model/firmware;
 * - a new or revised advisory re-correlates only the inventories/devices holding its keys, and
 *   answers which ones changed, so the register can be updated for exactly those.
 */
import type { DeviceIdentity, Inventory } from '@vigil/protocol'
import { AdvisoryIndex } from './advisory-index.js'
import { correlate, type Enrichment } from './correlate.js'
import { type MatchDevice, type MatchTarget, targetFromInventory } from './target.js'
import { TargetIndex } from './target-index.js'
import type { Advisory, Finding, KevEntry } from './types.js'
import { createVendorMatcher, type VendorMatcher } from './vendor.js'

export interface AdvisoryChange {
  outcome: 'added' | 'updated' | 'stale' | 'removed' | 'unknown'
  /** Inventory hashes whose package findings were recomputed. */
  inventories: string[]
  /** Device keys (`deviceKey`) whose device findings were recomputed. */
  devices: string[]
}

export const deviceKey = (d: MatchDevice): string => `${d.vendor}\u0000${d.model}\u0000${d.firmware}`

export class Correlator {
  readonly advisories: AdvisoryIndex
  readonly #inventories: TargetIndex
  readonly #devices: TargetIndex
  readonly #packageFindings = new Map<string, Finding[]>()
  readonly #deviceFindings = new Map<string, Finding[]>()
  #enrichment: Enrichment = { kev: new Map(), epss: new Map() }

  constructor(vendors: VendorMatcher = createVendorMatcher()) {
    this.advisories = new AdvisoryIndex(vendors)
    this.#inventories = new TargetIndex(vendors)
    this.#devices = new TargetIndex(vendors)
  }

  /** Replaces the KEV/EPSS data; cached findings are recomputed lazily. */
  setEnrichment(kev: ReadonlyMap<string, KevEntry>, epss: ReadonlyMap<string, number>): void {
    this.#enrichment = { kev, epss }
    this.#packageFindings.clear()
    this.#deviceFindings.clear()
  }

  #packagesOf(hash: string): Finding[] {
    const cached = this.#packageFindings.get(hash)
    if (cached) return cached
    const target = this.#inventories.get(hash)
    const found = target ? correlate(target, this.advisories, this.#enrichment) : []
    this.#packageFindings.set(hash, found)
    return found
  }

  #devicesOf(key: string): Finding[] {
    const cached = this.#deviceFindings.get(key)
    if (cached) return cached
    const target = this.#devices.get(key)
    const found = target ? correlate(target, this.advisories, this.#enrichment) : []
    this.#deviceFindings.set(key, found)
    return found
  }

  /** Findings of one device: its inventory's package findings plus its own identity's CSAF findings. */
  forDevice(identity: DeviceIdentity, inventory: Inventory): Finding[] {
    const target = targetFromInventory(identity, inventory)
    this.#inventories.add(inventory.hash, { devices: [], packages: target.packages })
    const out = [...this.#packagesOf(inventory.hash)]
    for (const d of target.devices) {
      const key = deviceKey(d)
      this.#devices.add(key, { devices: [d], packages: [] })
      out.push(...this.#devicesOf(key))
    }
    return out
  }

  /** Any target (e.g. from an SBOM), not cached. */
  forTarget(target: MatchTarget): Finding[] {
    return correlate(target, this.advisories, this.#enrichment)
  }

  #recompute(keys: Iterable<string>): Pick<AdvisoryChange, 'inventories' | 'devices'> {
    const list = [...keys]
    const inventories = this.#inventories.targetsFor(list)
    const devices = this.#devices.targetsFor(list)
    for (const h of inventories) this.#packageFindings.delete(h)
    for (const k of devices) this.#deviceFindings.delete(k)
    for (const h of inventories) this.#packagesOf(h)
    for (const k of devices) this.#devicesOf(k)
    return { inventories, devices }
  }

  upsertAdvisory(a: Advisory): AdvisoryChange {
    const held = this.advisories.get(a.id)
    const before = held ? this.advisories.keysOf(held) : []
    const outcome = this.advisories.upsert(a)
    if (outcome === 'stale') return { outcome, inventories: [], devices: [] }
    return { outcome, ...this.#recompute(new Set([...before, ...this.advisories.keysOf(a)])) }
  }

  removeAdvisory(id: string): AdvisoryChange {
    const held = this.advisories.get(id)
    if (!held) return { outcome: 'unknown', inventories: [], devices: [] }
    const keys = this.advisories.keysOf(held)
    this.advisories.remove(id)
    return { outcome: 'removed', ...this.#recompute(keys) }
  }

  /** Forget an inventory no device reports any more. */
  dropInventory(hash: string): void {
    this.#inventories.remove(hash)
    this.#packageFindings.delete(hash)
  }
}
