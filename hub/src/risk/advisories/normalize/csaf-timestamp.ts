/**
 * Full-precision comparison of CSAF `date-time` values (RFC 3339: any number of fractional digits,
 * `Z` or a `±hh:mm` offset). `Date.parse` keeps milliseconds only, so two revisions 0.1 µs apart would
 * tie; CSAF 2.1 §6.1.14 sorts by the full timestamp, ties broken by revision number.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/

interface Instant {
  /** Whole seconds since the epoch, UTC. */
  seconds: number
  /** Fractional digits as written, trailing zeros removed ("00010" → "0001"). */
  fraction: string
}

function instant(text: string): Instant | null {
  const m = RFC3339.exec(text.trim())
  if (m === null) return null
  const [, y, mo, d, h, mi, s, frac, zone] = m
  let offset = 0
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    offset = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60)
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  return { seconds: ms / 1000 - offset, fraction: (frac ?? '').replace(/0+$/, '') }
}

/** Sign of `a - b` at full precision; a value that is not RFC 3339 falls back to `Date.parse`. */
export function compareTimestamps(a: string, b: string): number {
  const x = instant(a)
  const y = instant(b)
  if (x === null || y === null) return Math.sign(Date.parse(a) - Date.parse(b)) || 0
  if (x.seconds !== y.seconds) return Math.sign(x.seconds - y.seconds)
  const width = Math.max(x.fraction.length, y.fraction.length)
  const fx = x.fraction.padEnd(width, '0')
  const fy = y.fraction.padEnd(width, '0')
  return fx === fy ? 0 : fx < fy ? -1 : 1
}
