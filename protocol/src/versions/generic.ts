/**
 * Generic dotted versions, for device firmware and anything without a scheme of its own (`9.33`,
 * `14.1s0`, `B.06.18`, `2.6A`, `2018-1`, `2023.3_Build_9342`).
 *
 * The version is cut into runs of digits and runs of letters; every other character only separates,
 * and one leading `v`/`V` directly before a digit is dropped (`V8.0` = `8.0`). Runs are compared left
 * to right: digits as numbers (`9.33` > `9.4`, `06` = `6`), letters case-insensitively by ASCII, and
 * letters above a number in the same place (`2.6A` > `2.6.9`, a lettered revision of 2.6). A version
 * that runs out counts its missing parts as 0 (`1.0` = `1.0.0`, `2.6` < `2.6A` < `2.7`). Each part so
 * has one rank (0 and missing alike), which keeps the order transitive.
 *
 * A version with whitespace or without any letter or digit is a `VersionError`.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

export function tokenizeGeneric(input: string): string[] {
  if (/\s/.test(input)) throw new VersionError('generic', input, 'version has whitespace')
  const tokens = input
    .replace(/^[vV](?=\d)/, '')
    .toLowerCase()
    .match(/\d+|[a-z]+/g)
  if (!tokens) throw new VersionError('generic', input, 'version has no letters or digits')
  return tokens
}

const isNumber = (token: string): boolean => /^\d/.test(token)

function compareToken(a: string | undefined, b: string | undefined): Ordering {
  if (a === undefined || b === undefined) {
    // A missing part is 0.
    return compareToken(a ?? '0', b ?? '0')
  }
  const na = isNumber(a)
  const nb = isNumber(b)
  if (na && nb) return compareDigits(a, b)
  if (na !== nb) return na ? -1 : 1
  return compareStrings(a, b)
}

const tokenizeCached = memoize(tokenizeGeneric)

export function compareGeneric(a: string, b: string): Ordering {
  const x = tokenizeCached(a)
  const y = tokenizeCached(b)
  const n = Math.max(x.length, y.length)
  for (let k = 0; k < n; k++) {
    const rc = compareToken(x[k], y[k])
    if (rc !== 0) return rc
  }
  return 0
}
