/**
 * "Patch available" per (device, CVE): which accepted, unexpired manifests apply to a device and fix a
 * CVE. Kept as an index so the register can answer it per finding without scanning manifests × devices
 * on each request: rebuilt in full when manifests change, one device at a time when a device changes
 * (only if its vendor, model, firmware or disabled flag moved).
 */
import type { PatchRef } from '@vigil/protocol'
import type { DeviceRecord } from '../store/types.js'
import { applicability } from './applicability.js'
import type { ManifestRecord } from './db.js'

interface Entry extends PatchRef {
  expiresAt: number
}

const identityKey = (d: DeviceRecord) =>
  `${d.disabled ? 1 : 0}|${d.identity?.vendor ?? ''}|${d.identity?.model ?? ''}|${d.identity?.firmwareVersion ?? ''}`

export class PatchIndex {
  /** deviceId → CVE → the manifests fixing it there, newest accepted first. */
  #byDevice = new Map<string, Map<string, Entry[]>>()
  #keys = new Map<string, string>()
  #stale = true

  constructor(
    private readonly manifests: () => Iterable<ManifestRecord>,
    private readonly devices: () => Iterable<DeviceRecord>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Manifests changed: the next lookup rebuilds the whole index. */
  invalidate(): void {
    this.#stale = true
  }

  /** A device changed: recompute its entries if what applicability reads changed. */
  deviceChanged(device: DeviceRecord): void {
    if (this.#stale || this.#keys.get(device.id) === identityKey(device)) return
    this.#index(device, this.#sorted())
  }

  forget(deviceId: string): void {
    this.#byDevice.delete(deviceId)
    this.#keys.delete(deviceId)
  }

  /** The newest unexpired manifest that fixes `cve` on the device, or null. */
  patchFor(deviceId: string, cve: string | null): PatchRef | null {
    if (cve === null) return null
    this.#fresh()
    const now = this.now()
    const e = this.#byDevice
      .get(deviceId)
      ?.get(cve)
      ?.find((x) => x.expiresAt > now)
    return e ? { manifestId: e.manifestId, vendor: e.vendor, product: e.product, version: e.version } : null
  }

  #sorted(): ManifestRecord[] {
    return [...this.manifests()]
      .filter((m) => m.payload.fixes.length > 0)
      .sort((a, b) => (a.acceptedAt < b.acceptedAt ? 1 : a.acceptedAt > b.acceptedAt ? -1 : 0))
  }

  #fresh(): void {
    if (!this.#stale) return
    this.#stale = false
    this.#byDevice.clear()
    this.#keys.clear()
    const manifests = this.#sorted()
    // Gateways of one image share vendor, model and firmware: judge each identity once.
    const memo = new Map<string, Map<string, Entry[]>>()
    for (const d of this.devices()) this.#index(d, manifests, memo)
  }

  #index(
    device: DeviceRecord,
    manifests: readonly ManifestRecord[],
    memo?: Map<string, Map<string, Entry[]>>,
  ): void {
    const key = identityKey(device)
    this.#keys.set(device.id, key)
    const known = memo?.get(key)
    const byCve = known ?? this.#judge(device, manifests)
    if (!known) memo?.set(key, byCve)
    if (byCve.size > 0) this.#byDevice.set(device.id, byCve)
    else this.#byDevice.delete(device.id)
  }

  #judge(device: DeviceRecord, manifests: readonly ManifestRecord[]): Map<string, Entry[]> {
    const byCve = new Map<string, Entry[]>()
    if (!device.disabled)
      for (const m of manifests) {
        if (!applicability(m.payload, device).applies) continue
        const p = m.payload
        const entry: Entry = {
          manifestId: m.id,
          vendor: p.vendor,
          product: p.product,
          version: p.version,
          expiresAt: Date.parse(p.expiresAt),
        }
        for (const cve of p.fixes) {
          const list = byCve.get(cve)
          if (list) list.push(entry)
          else byCve.set(cve, [entry])
        }
      }
    return byCve
  }
}
