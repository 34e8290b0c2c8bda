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
  sortKey: SortKey
  sortDir: SortDirection
}

export const emptyQuery = (): DeviceQuery => ({
  search: '',
  online: 'all',
  vendor: '',
  model: '',
  failingOnly: false,
  sortKey: 'name',
  sortDir: 'asc',
})

type Comparator = (a: DeviceSummary, b: DeviceSummary) => number

const text = (pick: (d: DeviceSummary) => string | undefined): Comparator => {
  return (a, b) => (pick(a) ?? '').localeCompare(pick(b) ?? '', undefined, { sensitivity: 'base' })
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

export function queryDevices(devices: Iterable<DeviceSummary>, q: DeviceQuery): DeviceSummary[] {
  const needle = q.search.trim().toLowerCase()
  const out: DeviceSummary[] = []
  for (const d of devices) if (matches(d, q, needle)) out.push(d)
  const cmp = SORTS[q.sortKey]
  const dir = q.sortDir === 'asc' ? 1 : -1
  // Ties broken by name then id, so rows do not jump around when a live update arrives.
  out.sort((a, b) => dir * cmp(a, b) || SORTS.name(a, b) || a.id.localeCompare(b.id))
  return out
}

/** Distinct non-empty values of a field, sorted, for filter choices. */
export function distinct(devices: Iterable<DeviceSummary>, pick: (d: DeviceSummary) => string | undefined) {
  const set = new Set<string>()
  for (const d of devices) {
    const v = pick(d)
    if (v) set.add(v)
  }
  return [...set].sort((a, b) => a.localeCompare(b))
}

/** True when the device's latest telemetry is too old to be shown as current. */
export function telemetryIsStale(d: DeviceSummary, now: number, staleAfterMs: number): boolean {
  if (!d.online || !d.telemetryAt) return true
  return now - Date.parse(d.telemetryAt) > staleAfterMs
}
