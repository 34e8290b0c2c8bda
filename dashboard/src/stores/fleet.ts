/**
 * The live fleet: every device row, kept in one Map. A `fleet:snapshot` replaces the whole picture; each
 * `fleet:delta` is queued and applied once per animation frame, so a burst of deltas costs one re-render.
 * The Map is held in a shallowRef (rows are plain frozen objects, not deep proxies): at 10,000 devices a
 * flush replaces the changed rows in place and triggers the views once.
 */
import type { DeviceSummary, ServerToClientEvents } from '@vigil/protocol'
import { type ShallowRef, shallowRef, triggerRef } from 'vue'

export type FleetSnapshot = Parameters<ServerToClientEvents['fleet:snapshot']>[0]
export type FleetDelta = Parameters<ServerToClientEvents['fleet:delta']>[0]

/** Runs `fn` before the next paint (requestAnimationFrame in a browser). */
export type FrameScheduler = (fn: () => void) => void

export const animationFrame: FrameScheduler = (fn) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn())
  else setTimeout(fn, 16)
}

export interface FleetStore {
  readonly devices: ShallowRef<ReadonlyMap<string, DeviceSummary>>
  /** Hub time of the newest snapshot or delta applied, null before the first snapshot. */
  readonly asOf: ShallowRef<string | null>
  readonly loaded: ShallowRef<boolean>
  /**
   * Ids changed since `version` (a value of `devices` seen earlier through `version()`), or null when a
   * snapshot replaced everything since or the changes are too old to be kept.
   */
  changesSince(version: number): Set<string> | null
  /** Bumped on every change to `devices`. */
  version(): number
  applySnapshot(snapshot: FleetSnapshot): void
  queueDelta(delta: FleetDelta): void
  /** Applies queued deltas now (the frame callback calls this). */
  flush(): void
  clear(): void
}

export function createFleetStore(schedule: FrameScheduler = animationFrame): FleetStore {
  const map = new Map<string, DeviceSummary>()
  const devices = shallowRef<ReadonlyMap<string, DeviceSummary>>(map)
  const asOf = shallowRef<string | null>(null)
  const loaded = shallowRef(false)
  let pending: FleetDelta[] = []
  let scheduled = false
  let version = 0
  /** Version → ids changed by that flush; a snapshot clears it (everything changed). */
  const log = new Map<number, string[]>()
  const LOG_LIMIT = 64
  const record = (ids: string[] | null): void => {
    version++
    if (ids === null) log.clear()
    else {
      log.set(version, ids)
      if (log.size > LOG_LIMIT) log.delete(version - LOG_LIMIT)
    }
  }

  const flush = (): void => {
    scheduled = false
    if (pending.length === 0) return
    const batch = pending
    pending = []
    const ids: string[] = []
    for (const delta of batch) {
      for (const id of delta.removed) {
        map.delete(id)
        ids.push(id)
      }
      for (const d of delta.devices) {
        map.set(d.id, Object.freeze(d))
        ids.push(d.id)
      }
      asOf.value = delta.ts
    }
    record(ids)
    triggerRef(devices)
  }

  return {
    devices,
    asOf,
    loaded,
    version: () => version,
    changesSince(since) {
      if (since === version) return new Set()
      const out = new Set<string>()
      for (let v = since + 1; v <= version; v++) {
        const ids = log.get(v)
        if (!ids) return null
        for (const id of ids) out.add(id)
      }
      return out
    },
    applySnapshot(snapshot) {
      // Deltas queued before the snapshot describe an older picture than the snapshot itself.
      pending = []
      map.clear()
      for (const d of snapshot.devices) map.set(d.id, Object.freeze(d))
      asOf.value = snapshot.ts
      loaded.value = true
      record(null)
      triggerRef(devices)
    },
    queueDelta(delta) {
      pending.push(delta)
      if (!scheduled) {
        scheduled = true
        schedule(flush)
      }
    },
    flush,
    clear() {
      pending = []
      map.clear()
      asOf.value = null
      loaded.value = false
      record(null)
      triggerRef(devices)
    },
  }
}
