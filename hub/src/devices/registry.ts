/**
 * The fleet as the hub sees it: device records from the store plus change notification, so the live
 * stream and later features react to every change without polling.
 */
import type { DeviceSummary } from '@vigil/protocol'
import type { DeviceRecord, Store } from '../store/types.js'

export type DeviceChange = { type: 'changed'; device: DeviceRecord } | { type: 'removed'; id: string }

export interface ListOptions {
  offset?: number
  limit?: number
  sort?: 'name' | 'lastSeen' | 'enrolledAt' | 'online' | 'cpuPct' | 'memUsedPct'
  order?: 'asc' | 'desc'
  name?: string
  online?: boolean
  vendor?: string
  model?: string
}

/**
 * A device's row. Optional fields are set one by one in a fixed order (no temporary objects): fleet
 * deltas project every changed device each window, thousands of rows a second at 10,000 devices.
 */
export function toSummary(d: DeviceRecord, version?: number): DeviceSummary {
  const s: DeviceSummary = {
    id: d.id,
    name: d.name,
    online: d.online,
    disabled: d.disabled,
    lastSeen: d.lastSeen,
    enrolledAt: d.enrolledAt,
  }
  const identity = d.identity
  if (identity) {
    if (identity.hostname !== undefined) s.hostname = identity.hostname
    if (identity.vendor !== undefined) s.vendor = identity.vendor
    if (identity.model !== undefined) s.model = identity.model
    if (identity.firmwareVersion !== undefined) s.firmwareVersion = identity.firmwareVersion
    const os = identity.os.prettyName ?? identity.os.id
    if (os !== undefined) s.os = os
  }
  if (d.agentVersion !== undefined) s.agentVersion = d.agentVersion
  if (d.cpuPct !== undefined) s.cpuPct = d.cpuPct
  if (d.memUsedPct !== undefined) s.memUsedPct = d.memUsedPct
  if (d.telemetryAt !== undefined) s.telemetryAt = d.telemetryAt
  if (d.packages !== undefined) s.packages = d.packages
  if (d.failingChecks !== undefined) s.failingChecks = d.failingChecks
  if (d.lastState !== undefined) s.deviceTime = d.lastState.ts
  if (d.clockSkewMs !== undefined) s.clockSkewMs = d.clockSkewMs
  if (d.takeovers !== undefined) s.takeovers = d.takeovers
  if (d.lastTakeoverAt !== undefined) s.lastTakeoverAt = d.lastTakeoverAt
  if (version !== undefined) s.version = version
  return s
}

const SORT_KEYS: Record<NonNullable<ListOptions['sort']>, (d: DeviceRecord) => string | number> = {
  name: (d) => d.name.toLowerCase(),
  lastSeen: (d) => d.lastSeen ?? '',
  enrolledAt: (d) => d.enrolledAt,
  online: (d) => (d.online ? 1 : 0),
  cpuPct: (d) => d.cpuPct ?? -1,
  memUsedPct: (d) => d.memUsedPct ?? -1,
}

interface Row {
  d: DeviceRecord
  k: string | number
}

/** The first `count` rows in `cmp` order (a strict order), without sorting them all. */
function firstInOrder(rows: Row[], count: number, cmp: (a: Row, b: Row) => number): Row[] {
  const best: Row[] = []
  for (const row of rows) {
    const last = best[best.length - 1]
    if (best.length >= count && last && cmp(row, last) > 0) continue
    let lo = 0
    let hi = best.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const m = best[mid]
      if (m && cmp(m, row) < 0) lo = mid + 1
      else hi = mid
    }
    best.splice(lo, 0, row)
    if (best.length > count) best.pop()
  }
  return best
}

export class DeviceRegistry {
  private readonly listeners = new Set<(change: DeviceChange) => void>()

  constructor(private readonly store: Store) {
    // Several hubs on one database: another hub's committed change of a device is a change here too
    // (the live stream, the register and the manifests follow it like a local one).
    store.watch?.((c) => {
      if (c.collection !== 'devices') return
      if (c.record) this.emit({ type: 'changed', device: c.record as DeviceRecord })
      else this.emit({ type: 'removed', id: c.id })
    })
  }

  get(id: string): DeviceRecord | undefined {
    return this.store.devices.get(id)
  }

  all(): DeviceRecord[] {
    return this.store.devices.values()
  }

  /**
   * Applies a change to a known device, persists it (on the next flush) and notifies listeners. With
   * `volatile`, the change is kept in memory and written with the next persistent change (telemetry
   * figures: a fleet reporting every 10 s must not rewrite the store every second).
   */
  update(
    id: string,
    patch: Partial<Omit<DeviceRecord, 'id'>>,
    opts: { volatile?: boolean } = {},
  ): DeviceRecord | undefined {
    const current = this.store.devices.get(id)
    if (!current) return undefined
    // Volatile updates (the telemetry hot path) change the record in place: no copy per sample.
    const next: DeviceRecord = opts.volatile ? Object.assign(current, patch) : { ...current, ...patch }
    if (opts.volatile) this.store.devices.putVolatile(next)
    else this.store.devices.put(next)
    this.emit({ type: 'changed', device: next })
    return next
  }

  /**
   * The ingest hot path: `device` is the held record (from `get` in the same tick) whose volatile fields
   * the caller changed in place. Keeps it in memory (written with the next persistent change) and
   * notifies listeners, without a lookup or a copy.
   */
  touched(device: DeviceRecord): void {
    this.store.devices.putVolatile(device)
    this.emit({ type: 'changed', device })
  }

  add(device: DeviceRecord): void {
    this.store.devices.put(device)
    this.emit({ type: 'changed', device })
  }

  remove(id: string): boolean {
    const had = this.store.devices.delete(id)
    if (had) this.emit({ type: 'removed', id })
    return had
  }

  /** After a (re)start nobody is connected yet: every device is offline until it says otherwise. */
  markAllOffline(): void {
    for (const d of this.store.devices.values()) if (d.online) this.store.devices.put({ ...d, online: false })
  }

  /**
   * One page of the fleet, filtered and sorted. Each row's sort key is computed once (not per
   * comparison), and a small page of a large fleet (e.g. `limit=1`, a count) is selected without sorting
   * every row; ties are broken by id, so the page is the same either way.
   */
  list(opts: ListOptions = {}): { devices: DeviceSummary[]; total: number } {
    const name = opts.name?.toLowerCase()
    const key = SORT_KEYS[opts.sort ?? 'name']
    const rows: Row[] = []
    for (const d of this.all()) {
      if (
        (name === undefined || d.name.toLowerCase().includes(name)) &&
        (opts.online === undefined || d.online === opts.online) &&
        (opts.vendor === undefined || d.identity?.vendor === opts.vendor) &&
        (opts.model === undefined || d.identity?.model === opts.model)
      )
        rows.push({ d, k: key(d) })
    }
    const dir = opts.order === 'desc' ? -1 : 1
    const cmp = (a: Row, b: Row) => (a.k < b.k ? -dir : a.k > b.k ? dir : a.d.id < b.d.id ? -1 : 1)
    const offset = opts.offset ?? 0
    const end = offset + (opts.limit ?? Number.POSITIVE_INFINITY)
    const page =
      end * 8 < rows.length ? firstInOrder(rows, end, cmp).slice(offset) : rows.sort(cmp).slice(offset, end)
    return {
      devices: page.map((r) => toSummary(r.d, this.store.devices.versionOf(r.d.id))),
      total: rows.length,
    }
  }

  onChange(listener: (change: DeviceChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(change: DeviceChange): void {
    for (const l of this.listeners) l(change)
  }
}
