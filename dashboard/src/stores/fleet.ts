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

  const flush = (): void => {
    scheduled = false
    if (pending.length === 0) return
    const batch = pending
    pending = []
    for (const delta of batch) {
      for (const id of delta.removed) map.delete(id)
      for (const d of delta.devices) map.set(d.id, Object.freeze(d))
      asOf.value = delta.ts
    }
    triggerRef(devices)
  }

  return {
    devices,
    asOf,
    loaded,
    applySnapshot(snapshot) {
      // Deltas queued before the snapshot describe an older picture than the snapshot itself.
      pending = []
      map.clear()
      for (const d of snapshot.devices) map.set(d.id, Object.freeze(d))
      asOf.value = snapshot.ts
      loaded.value = true
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
      triggerRef(devices)
    },
  }
}
