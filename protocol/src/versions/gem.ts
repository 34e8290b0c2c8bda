/**
 * RubyGems versions, ordered as `Gem::Version#<=>`.
 *
 * Form: a digit, then letters, digits and dots, optionally a `-suffix` (read as
 * `.pre.suffix`). The version is cut into runs of digits (numbers) and runs of letters (strings).
 * Zeros are dropped from the end of the leading numeric part and from the end of what follows
 * (`1.0` = `1`, `1.0.a.0` = `1.a`). Segments compare left to right, missing ones as 0: numbers
 * numerically, strings by ASCII (case-sensitive), and a string is older than a number, so any letter
 * marks a prerelease (`1.0.a9` < `1.0`). Anything else is a `VersionError`.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

const GEM = /^[0-9][0-9a-zA-Z]*(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

const isNumber = (s: string): boolean => /^\d/.test(s)

function dropTrailingZeros(segments: string[]): string[] {
  const out = [...segments]
  while (
    out.length > 0 &&
    isNumber(out[out.length - 1] ?? '') &&
    compareDigits(out[out.length - 1] ?? '', '0') === 0
  )
    out.pop()
  return out
}

export function gemSegments(input: string): string[] {
  const text = input.trim()
  if (!GEM.test(text)) throw new VersionError('gem', input, 'not a RubyGems version')
  const segments = text.replaceAll('-', '.pre.').match(/[0-9]+|[a-z]+/gi) ?? []
  const firstString = segments.findIndex((s) => !isNumber(s))
  const cut = firstString < 0 ? segments.length : firstString
  return [...dropTrailingZeros(segments.slice(0, cut)), ...dropTrailingZeros(segments.slice(cut))]
}

const segmentsCached = memoize(gemSegments)

export function compareGem(a: string, b: string): Ordering {
  const x = segmentsCached(a)
  const y = segmentsCached(b)
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    const l = x[k] ?? '0'
    const r = y[k] ?? '0'
    const ln = isNumber(l)
    const rn = isNumber(r)
    if (ln && rn) {
      const rc = compareDigits(l, r)
      if (rc !== 0) return rc
    } else if (ln !== rn) {
      return ln ? 1 : -1
    } else if (l !== r) {
      return compareStrings(l, r)
    }
  }
  return 0
}
