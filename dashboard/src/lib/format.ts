/** Small formatting helpers shared by the views. Output is always plain text. */

export function formatPct(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(1)} %`
}

// One formatter each, made on first use: `toLocaleString` builds a new Intl formatter per call, which
// costs more than the rest of a table row's render. Same output as toLocale(Time)String(undefined, …).
const TIME: Intl.DateTimeFormatOptions = {
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hour12: false,
}
const DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', ...TIME }
let timeFormat: Intl.DateTimeFormat | undefined
let dateTimeFormat: Intl.DateTimeFormat | undefined

function toDate(ms: number | string | null | undefined): Date | null {
  if (ms === null || ms === undefined) return null
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? null : d
}

export function formatTime(ms: number | string | null | undefined): string {
  const d = toDate(ms)
  if (!d) return '—'
  timeFormat ??= new Intl.DateTimeFormat(undefined, TIME)
  return timeFormat.format(d)
}

export function formatDateTime(ms: number | string | null | undefined): string {
  const d = toDate(ms)
  if (!d) return '—'
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, DATE_TIME)
  return dateTimeFormat.format(d)
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const
export function formatBytes(bytes: number): string {
  let v = bytes
  let i = 0
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${UNITS[i]}`
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86_400)
  const h = Math.floor((seconds % 86_400) / 3_600)
  const m = Math.floor((seconds % 3_600) / 60)
  if (d > 0) return `${d} d ${h} h`
  if (h > 0) return `${h} h ${m} min`
  return `${m} min`
}
