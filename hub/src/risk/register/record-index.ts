/**
 * Which finding records the register holds, by device and, within a device, by advisory: a reconcile
 * scoped to one advisory (a new advisory on 1,000 devices) looks at that advisory's records only, not
 * at every record of each device.
 */
import type { FindingRecord } from './records.js'

const NONE: ReadonlySet<string> = new Set()

function* allIds(byAdvisory: Map<string, Set<string>>): Generator<string> {
  for (const ids of byAdvisory.values()) yield* ids
}

export class RecordIndex {
  /** device id → advisory id → finding ids */
  readonly #byDevice = new Map<string, Map<string, Set<string>>>()

  add(r: Pick<FindingRecord, 'id' | 'deviceId' | 'advisory'>): void {
    let byAdvisory = this.#byDevice.get(r.deviceId)
    if (byAdvisory === undefined) {
      byAdvisory = new Map()
      this.#byDevice.set(r.deviceId, byAdvisory)
    }
    const ids = byAdvisory.get(r.advisory)
    if (ids === undefined) byAdvisory.set(r.advisory, new Set([r.id]))
    else ids.add(r.id)
  }

  /** All the device's finding ids (`idsOf` for those of one advisory). */
  ids(deviceId: string): Iterable<string> {
    const byAdvisory = this.#byDevice.get(deviceId)
    return byAdvisory === undefined ? NONE : allIds(byAdvisory)
  }

  /** The device's finding ids of `advisory` (the held set itself: do not change the index while iterating it). */
  idsOf(deviceId: string, advisory: string): ReadonlySet<string> {
    return this.#byDevice.get(deviceId)?.get(advisory) ?? NONE
  }

  devices(): IterableIterator<string> {
    return this.#byDevice.keys()
  }

  /** Drops a device; answers its finding ids (undefined when none were held). */
  removeDevice(deviceId: string): string[] | undefined {
    if (!this.#byDevice.has(deviceId)) return undefined
    const ids = [...this.ids(deviceId)]
    this.#byDevice.delete(deviceId)
    return ids
  }
}
