/**
 * Semantic versions (semver.org 2.0.0, as npm, Cargo and Go modules use them), compared with the
 * `semver` package in loose mode: a leading `v` or `=` and surrounding spaces are accepted, build
 * metadata (`+…`) is ignored, a pre-release (`-…`) sorts before its release and its dot-separated
 * identifiers compare numerically when all digits, otherwise by ASCII, numeric before alphanumeric.
 *
 * Where the `semver` package refuses a version that is still unambiguous, the same rules are
 * applied by hand: numbers beyond 2^53 (compared as digit strings), missing minor/patch (= 0, so
 * `1.2` = `1.2.0`) and components after the third, which count as build metadata (`1.1.3.4.5` =
 * `1.1.3`). Anything else is a `VersionError`.
 */
import semver from 'semver'
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

const LIKE =
  /^[v=\s]*(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:\.\d+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z.-]*))?$/

interface SemverLike {
  main: [string, string, string]
  prerelease: string[]
}

function parseLike(input: string): SemverLike {
  const m = LIKE.exec(input.trim())
  if (!m) throw new VersionError('semver', input, 'not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])')
  return { main: [m[1] ?? '0', m[2] ?? '0', m[3] ?? '0'], prerelease: m[5] ? m[5].split('.') : [] }
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s)

function compareIdentifiers(a: string, b: string): Ordering {
  const na = isNumeric(a)
  const nb = isNumeric(b)
  if (na && nb) return compareDigits(a, b)
  if (na !== nb) return na ? -1 : 1
  return compareStrings(a, b)
}

function comparePrerelease(a: string[], b: string[]): Ordering {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1
  const n = Math.min(a.length, b.length)
  for (let k = 0; k < n; k++) {
    const rc = compareIdentifiers(a[k] ?? '', b[k] ?? '')
    if (rc !== 0) return rc
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

function compareLike(a: string, b: string): Ordering {
  const x = parseLike(a)
  const y = parseLike(b)
  for (let k = 0; k < 3; k++) {
    const rc = compareDigits(x.main[k] ?? '0', y.main[k] ?? '0')
    if (rc !== 0) return rc
  }
  return comparePrerelease(x.prerelease, y.prerelease)
}

const parseCached = memoize((v: string) => semver.parse(v, { loose: true }) ?? false)

export function compareSemver(a: string, b: string): Ordering {
  const x = parseCached(a)
  const y = parseCached(b)
  if (x && y) return x.compare(y)
  return compareLike(a, b)
}
