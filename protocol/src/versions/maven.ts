/**
 * Maven versions, ordered by the POM reference's "Version Order Specification":
 *
 * 1. The version is lower-cased and split into tokens at `.`, at `-` and at every switch between
 *    digits and letters (which counts as `-`); each token keeps its separator as prefix and an empty
 *    token becomes `0` (`1-1.foo-bar1baz-.1` → `1 -1 .foo -bar -1 -baz -0 .1`).
 * 2. Aliases: `cr` = `rc`; `ga`, `final`, `release` = `` (the release); `a`, `b`, `m` directly followed
 *    by a digit = `alpha`, `beta`, `milestone`. Leading zeros of numbers are dropped.
 * 3. "Null" tokens (`0`, ``) are trimmed from the end, and again before each remaining hyphen from
 *    the end to the start (`1.0.0-foo.0.0` → `1-foo`, `1-ga-1` → `1-1`).
 * 4. Tokens compare left to right, the shorter version padded with nulls carrying the other's
 *    prefix (0 against a number, the release against a qualifier). With equal prefixes: numbers
 *    numerically and above qualifiers; qualifiers `alpha` < `beta` < `milestone` < `rc` < `snapshot`
 *    < (release) < `sp` < any other qualifier, those by ASCII. With different prefixes:
 *    `.qualifier` < `-qualifier` < `-number` < `.number`.
 *
 * Like the specification, the order is not transitive where `.qualifier` and `-qualifier` meet at
 * one position across three versions (`1-alpha1` < `1` < `1.sp` < `1-alpha1`); real packages keep
 * one style. Every vector in the shared data (Maven's own order) agrees with these rules.
 *
 * Maven accepts any text, so only an empty version is a `VersionError`.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

interface Token {
  prefix: '.' | '-'
  /** Digits without leading zeros ('' for zero), or a qualifier. */
  value: string
  numeric: boolean
}

const KNOWN = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp']
const ALIASES: Record<string, string> = { cr: 'rc', ga: '', final: '', release: '' }
const SHORT: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' }

const isNull = (t: Token): boolean => t.value === ''

export function parseMavenVersion(input: string): Token[] {
  if (input.trim() === '') throw new VersionError('maven', input, 'version string is empty')
  const tokens: Token[] = []
  let prefix: '.' | '-' = '.'
  for (const piece of input.toLowerCase().split(/([.-])/)) {
    if (piece === '.' || piece === '-') {
      prefix = piece
      continue
    }
    const runs = piece.match(/\d+|\D+/g) ?? ['0']
    runs.forEach((run, k) => {
      const numeric = /^\d/.test(run)
      let value = numeric ? run.replace(/^0+/, '') : (ALIASES[run] ?? run)
      if (!numeric && k + 1 < runs.length) value = SHORT[value] ?? value
      tokens.push({ prefix: k === 0 ? prefix : '-', value, numeric })
    })
  }
  // Trim nulls at the end, then before each remaining hyphen, walking back to the start.
  let i = tokens.length - 1
  while (i > 0) {
    const token = tokens[i]
    if (token && isNull(token)) {
      tokens.splice(i, 1)
      i--
      continue
    }
    while (i >= 0 && tokens[i]?.prefix !== '-') i--
    i--
  }
  return tokens
}

function qualifierRank(value: string): [number, string] {
  const known = KNOWN.indexOf(value)
  return known >= 0 ? [known, ''] : [KNOWN.length, value]
}

/** `.qualifier` < `-qualifier` < `-number` < `.number` */
const prefixOrder = (t: Token): number => (t.numeric ? 2 : 0) + ((t.prefix === '-') === t.numeric ? 0 : 1)

function compareTokens(a: Token, b: Token): Ordering {
  if (a.prefix !== b.prefix) {
    const pa = prefixOrder(a)
    const pb = prefixOrder(b)
    return pa === pb ? 0 : pa < pb ? -1 : 1
  }
  if (a.numeric && b.numeric) return compareDigits(a.value, b.value)
  if (a.numeric !== b.numeric) return a.numeric ? 1 : -1
  const [ka, ua] = qualifierRank(a.value)
  const [kb, ub] = qualifierRank(b.value)
  return ka !== kb ? (ka < kb ? -1 : 1) : compareStrings(ua, ub)
}

/** The null a shorter version is padded with: 0 against a number, the release against a qualifier. */
const pad = (other: Token): Token => ({ prefix: other.prefix, value: '', numeric: other.numeric })

const parseCached = memoize(parseMavenVersion)

export function compareMaven(a: string, b: string): Ordering {
  const x = parseCached(a)
  const y = parseCached(b)
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    const l = x[k]
    const r = y[k]
    if (!l && !r) break
    const rc = l && r ? compareTokens(l, r) : l ? compareTokens(l, pad(l)) : r ? compareTokens(pad(r), r) : 0
    if (rc !== 0) return rc
  }
  return 0
}
