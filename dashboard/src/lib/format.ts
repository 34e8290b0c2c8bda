/** Small formatting helpers shared by the views. Output is always plain text. */

export function formatPct(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(1)} %`
}

export function formatTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleTimeString(undefined, { hour12: false })
}

export function formatDateTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { hour12: false })
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
