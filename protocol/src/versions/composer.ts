/**
 * Composer (Packagist) versions, ordered as Composer's comparator orders them: a leading `v` dropped,
 * then PHP's `version_compare` (with `dev-` branches comparable), numbers of any size.
 *
 * Canonical form: `-`, `_`, `+` and other non-alphanumerics become `.`, and a `.` is inserted where
 * digits meet non-digits (`1.0rc1` → `1.0.rc.1`); `#` is kept. Elements compare left to right:
 * numbers numerically; words by their "special form", the first of `dev` < `alpha` = `a` < `beta` =
 * `b` < `RC` = `rc` < `#` (a number) < `pl` = `p` that the word starts with (case-sensitive;
 * unknown words rank below `dev`); a number against a word ranks as `#`. When one version runs out,
 * the longer wins if its next element is a number, otherwise its remaining part is compared against
 * a bare number (`1.0` > `1.0-beta`, `1.0pl1` > `1.0`). Only an empty version is a `VersionError`.
 */
import { compareDigits, memoize, type Ordering, VersionError } from './types.js'

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
]
const NUMBER = '#N#'

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isAlnum = (c: string): boolean => /[0-9A-Za-z#]/.test(c)

export function canonicalizeComposer(version: string): string {
  if (version === '') return ''
  let out = version[0] ?? ''
  let last = out
  for (const c of version.slice(1)) {
    const tail = out[out.length - 1]
    const isDig = isDigit(c)
    const isNonDig = !isDig && c !== '.'
    const lastDig = isDigit(last)
    const lastNonDig = !lastDig && last !== '.'
    if (c === '-' || c === '_' || c === '+') {
      if (tail !== '.') out += '.'
    } else if ((lastNonDig && isDig) || (lastDig && isNonDig)) {
      if (tail !== '.') out += '.'
      out += c
    } else if (!isAlnum(c)) {
      if (tail !== '.') out += '.'
    } else {
      out += c
    }
    last = c
  }
  return out
}

function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order
  return -1
}

const compareForms = (a: string, b: string): Ordering => {
  const x = specialForm(a)
  const y = specialForm(b)
  return x === y ? 0 : x < y ? -1 : 1
}

function compareElement(a: string, b: string): Ordering {
  const da = isDigit(a[0])
  const db = isDigit(b[0])
  if (da && db) return compareDigits(/^\d+/.exec(a)?.[0] ?? '', /^\d+/.exec(b)?.[0] ?? '')
  if (!da && !db) return compareForms(a, b)
  return da ? compareForms(NUMBER, b) : compareForms(a, NUMBER)
}

const elements = memoize((v: string): string[] =>
  (v.startsWith('#') ? v : canonicalizeComposer(v)).split('.'),
)

function phpVersionCompare(a: string, b: string): Ordering {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1
  const x = elements(a)
  const y = elements(b)
  const n = Math.min(x.length, y.length)
  for (let k = 0; k < n; k++) {
    const rc = compareElement(x[k] ?? '', y[k] ?? '')
    if (rc !== 0) return rc
  }
  if (x.length > n) {
    const rest = x.slice(n).join('.')
    return isDigit(rest[0]) ? 1 : phpVersionCompare(rest, NUMBER)
  }
  if (y.length > n) {
    const rest = y.slice(n).join('.')
    return isDigit(rest[0]) ? -1 : phpVersionCompare(NUMBER, rest)
  }
  return 0
}

export function compareComposer(a: string, b: string): Ordering {
  for (const v of [a, b])
    if (v.trim() === '') throw new VersionError('composer', v, 'version string is empty')
  // Composer's version parser drops a leading `v`, so `v1.0` = `1.0`.
  const strip = (v: string): string => v.replace(/^[vV](?=\d)/, '')
  return phpVersionCompare(strip(a), strip(b))
}
