/**
 * Search, filters and sorting of the device table: pure functions over DeviceSummary rows, so the
 * devices page and its tests share them and 10,000 rows are handled in one pass each.
 */
import type { DeviceSummary } from '@vigil/protocol'
import type { SortDirection } from './table.js'

export type OnlineFilter = 'all' | 'online' | 'offline'

export interface DeviceQuery {
  search: string
  online: OnlineFilter
  vendor: string
  model: string
  failingOnly: boolean
  /** Only devices with a known-exploited / overdue finding: applied by the caller, who holds the findings. */
  kevOnly: boolean
  overdueOnly: boolean
  /** Posture grade ('' = any): applied by the caller, who holds the grades. */
  grade: string
  sortKey: SortKey
  sortDir: SortDirection
}

export const emptyQuery = (): DeviceQuery => ({
  search: '',
  online: 'all',
  vendor: '',
  model: '',
  failingOnly: false,
  kevOnly: false,
  overdueOnly: false,
  grade: '',
  sortKey: 'name',
  sortDir: 'asc',
})

type Comparator = (a: DeviceSummary, b: DeviceSummary) => number

/** One collator for every comparison: `localeCompare` with options builds one per call (slow at 10,000 rows). */
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })
const text = (pick: (d: DeviceSummary) => string | undefined): Comparator => {
  return (a, b) => collator.compare(pick(a) ?? '', pick(b) ?? '')
}
/** Missing numbers sort last in ascending order. */
const num = (pick: (d: DeviceSummary) => number | undefined): Comparator => {
  return (a, b) => (pick(a) ?? Number.NEGATIVE_INFINITY) - (pick(b) ?? Number.NEGATIVE_INFINITY)
}

export const SORTS = {
  name: text((d) => d.name),
  online: (a, b) => Number(a.online) - Number(b.online),
  vendor: text((d) => d.vendor),
  model: text((d) => d.model),
  os: text((d) => d.os),
  cpuPct: num((d) => d.cpuPct),
  memUsedPct: num((d) => d.memUsedPct),
  failingChecks: num((d) => d.failingChecks),
  lastSeen: text((d) => d.lastSeen ?? ''),
} satisfies Record<string, Comparator>
export type SortKey = keyof typeof SORTS

export function isSortKey(key: string): key is SortKey {
  return Object.hasOwn(SORTS, key)
}

function matches(d: DeviceSummary, q: DeviceQuery, needle: string): boolean {
  if (q.online === 'online' && !d.online) return false
  if (q.online === 'offline' && d.online) return false
  if (q.vendor && d.vendor !== q.vendor) return false
  if (q.model && d.model !== q.model) return false
  if (q.failingOnly && !(d.failingChecks && d.failingChecks > 0)) return false
  if (!needle) return true
  for (const field of [d.name, d.hostname, d.id, d.vendor, d.model, d.os, d.firmwareVersion]) {
    if (field?.toLowerCase().includes(needle)) return true
  }
  return false
}

function comparator(q: DeviceQuery): Comparator {
  const cmp = SORTS[q.sortKey]
  const dir = q.sortDir === 'asc' ? 1 : -1
  // Ties broken by name then id, so rows do not jump around when a live update arrives.
  return (a, b) => dir * cmp(a, b) || SORTS.name(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

export function queryDevices(devices: Iterable<DeviceSummary>, q: DeviceQuery): DeviceSummary[] {
  const needle = q.search.trim().toLowerCase()
  const out: DeviceSummary[] = []
  for (const d of devices) if (matches(d, q, needle)) out.push(d)
  out.sort(comparator(q))
  return out
}

/**
 * The device table's rows, kept up to date cheaply: when a live delta changes only figures that neither
 * the filters nor the sort order look at (the common case: new CPU/memory, last seen), the changed rows
 * are replaced in place at their index, without filtering and sorting 10,000 rows again.
 */
export class DeviceView {
  private rows: DeviceSummary[] = []
  private index = new Map<string, number>()
  private key = ''

  /**
   * `changed` holds the ids changed since the previous call, or null when the whole fleet may have
   * changed (a snapshot, or changes not tracked).
   */
  update(
    devices: ReadonlyMap<string, DeviceSummary>,
    changed: ReadonlySet<string> | null,
    q: DeviceQuery,
  ): DeviceSummary[] {
    const key = JSON.stringify(q)
    if (changed && key === this.key && this.patch(devices, changed, q)) return this.rows
    this.rows = queryDevices(devices.values(), q)
    this.index = new Map(this.rows.map((d, i) => [d.id, i]))
    this.key = key
    return this.rows
  }

  private patch(devices: ReadonlyMap<string, DeviceSummary>, changed: ReadonlySet<string>, q: DeviceQuery) {
    const needle = q.search.trim().toLowerCase()
    const cmp = comparator(q)
    const replace: [number, DeviceSummary][] = []
    for (const id of changed) {
      const next = devices.get(id)
      const at = this.index.get(id)
      if (at === undefined) {
        if (next && matches(next, q, needle)) return false
        continue
      }
      const prev = this.rows[at]
      if (!next || !prev || !matches(next, q, needle) || cmp(prev, next) !== 0) return false
      replace.push([at, next])
    }
    if (replace.length === 0) return true
    const rows = this.rows.slice()
    for (const [at, d] of replace) rows[at] = d
    this.rows = rows
    return true
  }
}

/** What the devices page says about the whole fleet: counts and the filter choices. */
export interface FleetFacts {
  total: number
  online: number
  /** Distinct non-empty vendors / models, sorted. */
  vendors: readonly string[]
  models: readonly string[]
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i])

/**
 * One pass over the fleet. `prev` (the last answer) lends its lists when they are unchanged, so a
 * live delta that changes only figures gives the same arrays and nothing that lists them re-renders.
 */
export function fleetFacts(devices: Iterable<DeviceSummary>, prev?: FleetFacts): FleetFacts {
  const vendorSet = new Set<string>()
  const modelSet = new Set<string>()
  let total = 0
  let online = 0
  for (const d of devices) {
    total++
    if (d.online) online++
    if (d.vendor) vendorSet.add(d.vendor)
    if (d.model) modelSet.add(d.model)
  }
  const sorted = (set: Set<string>, old: readonly string[] | undefined) => {
    const list = [...set].sort((a, b) => a.localeCompare(b))
    return old && sameList(old, list) ? old : list
  }
  return { total, online, vendors: sorted(vendorSet, prev?.vendors), models: sorted(modelSet, prev?.models) }
}

/** True when the device's latest telemetry is too old to be shown as current. */
export function telemetryIsStale(d: DeviceSummary, now: number, staleAfterMs: number): boolean {
  if (!d.online || !d.telemetryAt) return true
  return now - Date.parse(d.telemetryAt) > staleAfterMs
}
