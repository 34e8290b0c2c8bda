/**
 * Incremental correlation (issue 5 point 4). Two kinds of targets, each correlated once however many
 * devices share it:
 *   `inv:<inventory hash>`            the packages of an inventory (identical gateway images: one entry)
 *   `dev:<vendor>|<model>|<firmware>` a device identity, matched against CSAF product trees
 * A device points at one of each. A new or revised advisory re-correlates only the targets holding its
 * keys (`TargetIndex.targetsFor(keysOf(advisory))`); the devices pointing at them are reported changed.
 */
import type { DeviceIdentity, Inventory } from '@vigil/protocol'
import {
  type Advisory,
  AdvisoryIndex,
  correlate,
  deviceFromIdentity,
  type Finding,
  type MatchTarget,
  TargetIndex,
  targetFromInventory,
  type VendorMatcher,
} from '../advisories/index.js'
import type { Enrichment } from './advisory-db.js'

interface DeviceTargets {
  inv?: string
  dev?: string
}

export interface EngineStats {
  /** How many times a target was correlated against the index (the work done). */
  correlations: number
  targets: number
  advisories: number
}

export class CorrelationEngine {
  #advisories: AdvisoryIndex
  #targets: TargetIndex
  enrichment: Enrichment = { kev: new Map(), epss: new Map(), kevVersion: null }
  /** Each target's findings (an array is replaced when they change, never changed in place). */
  readonly #findings = new Map<string, Finding[]>()
  /** The findings of one advisory last asked of a target's findings (`findingsOf`). */
  readonly #ofAdvisory = new WeakMap<Finding[], { advisory: string; findings: readonly Finding[] }>()
  readonly #devices = new Map<string, DeviceTargets>()
  readonly #users = new Map<string, Set<string>>()
  #correlations = 0

  constructor(
    vendors: VendorMatcher,
    /**
     * Called with the devices whose findings may have changed; with `advisory` when only that
     * advisory's findings changed (an advisory upserted: every other finding object is kept as it was).
     */
    private readonly onChange: (deviceIds: Set<string>, advisory?: string) => void = () => {},
  ) {
    this.#advisories = new AdvisoryIndex(vendors)
    this.#targets = new TargetIndex(vendors)
  }

  get advisories(): AdvisoryIndex {
    return this.#advisories
  }

  get targets(): TargetIndex {
    return this.#targets
  }

  /**
   * New vendor aliases (operators edited the table): both indexes are rebuilt with the new matcher and
   * every target is correlated again, so a device whose vendor is now known by an alias matches.
   */
  setVendors(vendors: VendorMatcher): void {
    const advisories = new AdvisoryIndex(vendors)
    for (const a of this.#advisories.all()) advisories.upsert(a)
    const targets = new TargetIndex(vendors)
    for (const key of this.#users.keys()) {
      const t = this.#targets.get(key)
      if (t !== undefined) targets.add(key, t)
    }
    this.#advisories = advisories
    this.#targets = targets
    for (const key of this.#users.keys()) this.#correlate(key)
    const devices = new Set(this.#devices.keys())
    if (devices.size > 0) this.onChange(devices)
  }

  stats(): EngineStats {
    return { correlations: this.#correlations, targets: this.targets.size, advisories: this.advisories.size }
  }

  #correlate(key: string): void {
    const target = this.targets.get(key)
    if (target === undefined) return
    this.#correlations++
    this.#findings.set(key, correlate(target, this.advisories, this.enrichment))
  }

  /** Replaces the findings of one advisory (`alone` holds just it) in a target's findings. */
  #correlateOne(key: string, id: string, alone: AdvisoryIndex): void {
    const target = this.targets.get(key)
    if (target === undefined) return
    this.#correlations++
    const kept = (this.#findings.get(key) ?? []).filter((f) => f.advisory !== id)
    this.#findings.set(key, [...kept, ...correlate(target, alone, this.enrichment)])
  }

  #attach(deviceId: string, kind: keyof DeviceTargets, key: string | undefined, target?: () => MatchTarget) {
    const held = this.#devices.get(deviceId) ?? {}
    const old = held[kind]
    if (old === key) return false
    if (old !== undefined) {
      const users = this.#users.get(old)
      users?.delete(deviceId)
      if (users?.size === 0) {
        this.#users.delete(old)
        this.targets.remove(old)
        this.#findings.delete(old)
      }
    }
    if (key === undefined) delete held[kind]
    else {
      held[kind] = key
      const users = this.#users.get(key) ?? new Set<string>()
      users.add(deviceId)
      this.#users.set(key, users)
      if (target !== undefined && !this.targets.has(key) && this.targets.add(key, target()))
        this.#correlate(key)
    }
    this.#devices.set(deviceId, held)
    return true
  }

  /** Whether the engine holds this device's inventory (so absent findings really are absent). */
  hasInventory(deviceId: string): boolean {
    return this.#devices.get(deviceId)?.inv !== undefined
  }

  /** A device's inventory arrived (or was loaded at startup): true when its targets changed. */
  setInventory(deviceId: string, inventory: Inventory): boolean {
    // Built only for an image the engine does not hold yet: identical images cost a map lookup.
    return this.#attach(deviceId, 'inv', `inv:${inventory.hash}`, () => ({
      devices: [],
      packages: targetFromInventory({ hostname: '', os: inventory.os } as DeviceIdentity, inventory).packages,
    }))
  }

  /** A device's identity (vendor/model/firmware) as the hub holds it: true when its targets changed. */
  setIdentity(deviceId: string, identity: DeviceIdentity | undefined, firmware?: string): boolean {
    const fw = identity?.firmwareVersion ?? firmware
    // The serial is left out: it would make every device its own target. Entries that list serial
    // numbers are then `review` ("the device reports none"), never silently matched or dropped.
    const device = identity ? deviceFromIdentity(identity, fw) : null
    if (device === null) return this.#attach(deviceId, 'dev', undefined)
    const devices = [device]
    const key = `dev:${device.vendor}|${device.model}|${device.firmware}|${device.cpe ?? ''}|${device.purl ?? ''}`
    return this.#attach(deviceId, 'dev', key, () => ({ devices, packages: [] }))
  }

  removeDevice(deviceId: string): void {
    this.#attach(deviceId, 'inv', undefined)
    this.#attach(deviceId, 'dev', undefined)
    this.#devices.delete(deviceId)
  }

  deviceIds(): string[] {
    return [...this.#devices.keys()]
  }

  findingsFor(deviceId: string): Finding[] {
    const held = this.#devices.get(deviceId)
    if (held === undefined) return []
    return [
      ...(held.inv ? (this.#findings.get(held.inv) ?? []) : []),
      ...(held.dev ? (this.#findings.get(held.dev) ?? []) : []),
    ]
  }

  /**
   * The device's findings of one advisory: its targets' findings walked, not copied (a new advisory asks
   * this of every device it reaches, each of which may hold hundreds of findings), and each target's
   * walked once per advisory (the devices of a fleet share a few images: 1,000 devices, 50 targets).
   */
  findingsOf(deviceId: string, advisory: string): readonly Finding[] {
    const held = this.#devices.get(deviceId)
    if (held === undefined) return []
    const inv = held.inv !== undefined ? this.#targetFindingsOf(held.inv, advisory) : []
    const dev = held.dev !== undefined ? this.#targetFindingsOf(held.dev, advisory) : []
    return dev.length === 0 ? inv : inv.length === 0 ? dev : [...inv, ...dev]
  }

  #targetFindingsOf(key: string, advisory: string): readonly Finding[] {
    const all = this.#findings.get(key)
    if (all === undefined) return []
    const memo = this.#ofAdvisory.get(all)
    if (memo?.advisory === advisory) return memo.findings
    const findings = all.filter((f) => f.advisory === advisory)
    this.#ofAdvisory.set(all, { advisory, findings })
    return findings
  }

  /** The installed version of a package in the device's inventory target, if it holds one by that name. */
  installed(deviceId: string, name: string): string | undefined {
    const inv = this.#devices.get(deviceId)?.inv
    const target = inv ? this.targets.get(inv) : undefined
    return target?.packages.find((p) => p.name === name || p.source?.name === name)?.version
  }

  /** The firmware the engine matched the device's identity with, if any. */
  firmware(deviceId: string): string | undefined {
    const dev = this.#devices.get(deviceId)?.dev
    return dev ? this.targets.get(dev)?.devices[0]?.firmware : undefined
  }

  #devicesOf(keys: Iterable<string>): Set<string> {
    const out = new Set<string>()
    for (const k of keys) for (const d of this.#users.get(k) ?? []) out.add(d)
    return out
  }

  /**
   * Adds an advisory (or a newer revision, or its withdrawal) and re-correlates only the targets that
   * hold its keys — old and new, so a revision that drops a product also drops its findings.
   */
  upsertAdvisory(a: Advisory): 'added' | 'updated' | 'stale' {
    const old = this.advisories.get(a.id)
    const oldKeys = old ? this.advisories.keysOf(old) : []
    const outcome = this.advisories.upsert(a)
    if (outcome === 'stale') return outcome
    const touched = this.targets.targetsFor([...oldKeys, ...this.advisories.keysOf(a)])
    // Only this advisory is matched against each touched target: a finding depends on its own
    // advisory alone, so its old findings are replaced and every other one is kept (with 100,000
    // advisories, correlating a target in full costs hundreds of ms).
    // (Most advisories of a feed sync touch no target: no index is built for them.)
    if (touched.length === 0) return outcome
    const alone = new AdvisoryIndex(this.advisories.vendors)
    alone.upsert(a)
    for (const key of touched) this.#correlateOne(key, a.id, alone)
    const devices = this.#devicesOf(touched)
    if (devices.size > 0) this.onChange(devices, a.id)
    return outcome
  }

  /**
   * New KEV/EPSS tables. Enrichment never changes what matches, only the KEV/EPSS (and KEV-first CVE)
   * of findings: only targets holding a finding of an advisory with a CVE whose KEV entry or EPSS score
   * changed are correlated again, and only their devices are reported (issue 17: decisions follow KEV
   * and EPSS incrementally).
   */
  setEnrichment(e: Enrichment): void {
    const before = this.enrichment
    this.enrichment = e
    const changed = new Set<string>()
    for (const [cve, k] of e.kev)
      if (before.kev.get(cve)?.dueDate !== k.dueDate || !before.kev.has(cve)) changed.add(cve)
    for (const cve of before.kev.keys()) if (!e.kev.has(cve)) changed.add(cve)
    for (const [cve, v] of e.epss) if (before.epss.get(cve) !== v) changed.add(cve)
    for (const cve of before.epss.keys()) if (!e.epss.has(cve)) changed.add(cve)
    if (changed.size === 0) return
    const touched: string[] = []
    for (const key of this.#users.keys()) {
      const hit = (this.#findings.get(key) ?? []).some((f) =>
        (this.advisories.get(f.advisory)?.cves ?? (f.cve !== null ? [f.cve] : [])).some((c) =>
          changed.has(c),
        ),
      )
      if (hit) touched.push(key)
    }
    for (const key of touched) this.#correlate(key)
    const devices = this.#devicesOf(touched)
    if (devices.size > 0) this.onChange(devices)
  }
}
