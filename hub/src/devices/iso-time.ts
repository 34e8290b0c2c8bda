/**
 * The time of an RFC 3339 timestamp when it is exactly what `new Date(ms).toISOString()` gives for it
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, as agents send it), else NaN. Read digit by digit: `Date.parse` and a
 * `toISOString` to compare cost ~0.8 µs per telemetry sample, this ~0.1 µs.
 */
const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : Number.NaN
}
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1)

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysIn(year: number, month: number): number {
  if (month !== 2) return DAYS[month - 1] ?? 0
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
}

/** The fields read by hand; anything unusual (another form, a year before 1970) asks `Date` itself. */
export function canonicalIsoMs(s: string): number {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  )
    return slow(s)
  const year = two(s, 0) * 100 + two(s, 2)
  const month = two(s, 5)
  const day = two(s, 8)
  const hour = two(s, 11)
  const minute = two(s, 14)
  const second = two(s, 17)
  const milli = digit(s, 20) * 100 + two(s, 21)
  // NaN (a non-digit) fails every comparison below.
  if (
    !(year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)) ||
    !(hour <= 23 && minute <= 59 && second <= 59 && milli >= 0)
  )
    return slow(s)
  return Date.UTC(year, month - 1, day, hour, minute, second, milli)
}

function slow(s: string): number {
  const ms = Date.parse(s)
  return !Number.isNaN(ms) && new Date(ms).toISOString() === s ? ms : Number.NaN
}
