/**
 * Collects stored inventories and hardening reports that no device references any more (a device moved
 * to a new image, was deleted, or a device uploaded contents nobody uses). A periodic sweep lists the
 * blobs through the Store; one is deleted only after it has been seen unreferenced for `graceMs` and
 * was not written or linked by ingest within `graceMs` (ingest `touch`es a hash before storing or
 * linking it, so a report in flight is never collected).
 */
import type { DeviceRecord, Store } from '../store/types.js'

export type BlobKind = 'inventory' | 'hardening'

export interface SweepResult {
  deleted: { inventory: number; hardening: number }
  kept: number
}

export class BlobCollector {
  /** `<kind> <hash>` → when it was first seen unreferenced. */
  private readonly unreferencedSince = new Map<string, number>()
  /** `<kind> <hash>` → when ingest last wrote or linked it. */
  private readonly touched = new Map<string, number>()
  private running: Promise<SweepResult> | undefined

  constructor(
    private readonly store: Store,
    private readonly graceMs: number,
  ) {}

  /** Ingest is about to store or link this blob: it is not collected for `graceMs`. */
  touch(kind: BlobKind, hash: string, now = Date.now()): void {
    this.touched.set(`${kind} ${hash}`, now)
  }

  /** One sweep (never two at once). */
  sweep(now = Date.now()): Promise<SweepResult> {
    this.running ??= this.run(now).finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private recentlyTouched(key: string, now: number): boolean {
    const at = this.touched.get(key)
    return at !== undefined && now - at < this.graceMs
  }

  private async run(now: number): Promise<SweepResult> {
    const started = Date.now()
    for (const [key, at] of this.touched) if (now - at >= this.graceMs) this.touched.delete(key)
    const result: SweepResult = { deleted: { inventory: 0, hardening: 0 }, kept: 0 }
    const stores = { inventory: this.store.inventories, hardening: this.store.hardening } as const
    const field = { inventory: 'inventoryHash', hardening: 'hardeningHash' } as const
    const referenced = (kind: BlobKind) =>
      new Set(
        this.store.devices
          .values()
          .map((d: DeviceRecord) => d[field[kind]])
          .filter((h): h is string => h !== undefined),
      )
    const present = new Set<string>()
    for (const kind of ['inventory', 'hardening'] as const) {
      const refs = referenced(kind)
      const blobs = stores[kind]
      for (const hash of blobs.keys()) {
        const key = `${kind} ${hash}`
        present.add(key)
        if (refs.has(hash) || this.recentlyTouched(key, now)) {
          this.unreferencedSince.delete(key)
          result.kept++
          continue
        }
        const since = this.unreferencedSince.get(key)
        if (since === undefined || now - since < this.graceMs) {
          if (since === undefined) this.unreferencedSince.set(key, now)
          result.kept++
          continue
        }
        // Checked again right before deleting: earlier deletions awaited, ingest may have linked it since.
        if (this.recentlyTouched(key, now + (Date.now() - started)) || this.isReferenced(field[kind], hash)) {
          this.unreferencedSince.delete(key)
          result.kept++
          continue
        }
        await blobs.delete(hash)
        this.unreferencedSince.delete(key)
        result.deleted[kind]++
      }
    }
    for (const key of this.unreferencedSince.keys()) if (!present.has(key)) this.unreferencedSince.delete(key)
    return result
  }

  private isReferenced(field: 'inventoryHash' | 'hardeningHash', hash: string): boolean {
    return this.store.devices.values().some((d) => d[field] === hash)
  }
}
