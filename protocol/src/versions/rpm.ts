/**
 * RPM versions, ordered as rpm 4.18 orders them (`rpm.vercmp` / `rpmverCmp`, rpmio/rpmvercmp.c).
 *
 * Form: `[epoch:]version[-release]`. The epoch is the leading digits when a colon follows them
 * (absent = 0, `:1.0` = epoch 0); the release is what follows the LAST hyphen after the epoch. Epoch,
 * version and release are compared in that order, each with `rpmvercmp`, except that a missing
 * release sorts below any release, even an empty one or `~` (`1.0` < `1.0-` < `1.0-0`, as rpm says).
 *
 * `rpmvercmp`: identical strings are equal. Otherwise both are cut into segments of ASCII digits or
 * ASCII letters; every other character only separates. `~` sorts before anything, even the end of
 * the string (`1.0~rc1` < `1.0`); `^` sorts after the end of the string but before any further
 * segment (`1.0` < `1.0^git1` < `1.0.1`). Digit segments compare numerically (leading zeros
 * dropped, any length) and are newer than letter segments; letter segments compare by ASCII. When
 * all segments tie, the string with segments left over wins.
 *
 * rpm accepts nearly any text, so only an empty version or one with whitespace is a `VersionError`.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

export interface RpmVersion {
  epoch: string
  version: string
  /** null when there is no hyphen at all. */
  release: string | null
}

export function parseRpmVersion(input: string): RpmVersion {
  if (input === '') throw new VersionError('rpm', input, 'version string is empty')
  if (/\s/.test(input)) throw new VersionError('rpm', input, 'version string has whitespace')
  const epochMatch = /^(\d*):/.exec(input)
  const epoch = epochMatch ? epochMatch[1] || '0' : '0'
  const rest = epochMatch ? input.slice(epochMatch[0].length) : input
  const hyphen = rest.lastIndexOf('-')
  return {
    epoch,
    version: hyphen >= 0 ? rest.slice(0, hyphen) : rest,
    release: hyphen >= 0 ? rest.slice(hyphen + 1) : null,
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
const isSegmentChar = (c: string | undefined): boolean =>
  c !== undefined && (isDigit(c) || isAlpha(c) || c === '~' || c === '^')

/** rpm's `rpmvercmp` on one field. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while (i < a.length && !isSegmentChar(a[i])) i++
    while (j < b.length && !isSegmentChar(b[j])) j++
    const ca = a[i]
    const cb = b[j]
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1
      if (cb !== '~') return -1
      i++
      j++
      continue
    }
    if (ca === '^' || cb === '^') {
      if (ca === undefined) return -1
      if (cb === undefined) return 1
      if (ca !== '^') return 1
      if (cb !== '^') return -1
      i++
      j++
      continue
    }
    if (ca === undefined || cb === undefined) break
    const numeric = isDigit(ca)
    const inSegment = numeric ? isDigit : isAlpha
    let ei = i
    while (inSegment(a[ei])) ei++
    let ej = j
    while (inSegment(b[ej])) ej++
    // Segments of different kinds: numeric ones are newer than alphabetic ones.
    if (ej === j) return numeric ? 1 : -1
    const segA = a.slice(i, ei)
    const segB = b.slice(j, ej)
    const rc = numeric ? compareDigits(segA, segB) : compareStrings(segA, segB)
    if (rc !== 0) return rc
    i = ei
    j = ej
  }
  if (i >= a.length && j >= b.length) return 0
  return i >= a.length ? -1 : 1
}

const parseCached = memoize(parseRpmVersion)

export function compareRpm(a: string, b: string): Ordering {
  const x = parseCached(a)
  const y = parseCached(b)
  const byRelease = (): Ordering => {
    if (x.release === null || y.release === null)
      return x.release === y.release ? 0 : x.release === null ? -1 : 1
    return rpmvercmp(x.release, y.release)
  }
  return rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || byRelease()
}
