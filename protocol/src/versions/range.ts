/**
 * Version ranges: package-url VERS (`vers:<scheme>/<constraint>|<constraint>…`) and the bare forms
 * CSAF authors write in `product_version_range` / `product_version` names (the VERS part without the
 * `vers:<scheme>/` prefix, as CSAF's "vls" allows).
 *
 * Accepted:
 * - `vers:<scheme>/*` and `vers:all/*`: every version;
 * - `vers:<scheme>/<c>|<c>…` where each `<c>` is `[=|!=|<|<=|>|>=]version` (percent-decoded, spaces
 *   ignored). Schemes: deb/debian, apk/alpine, rpm, npm/semver/cargo/golang (semver), pypi, generic,
 *   maven, nuget, gem, composer;
 * - bare `<= 9.33`, `< 14.1s0`, `>= 1.0.0 | <= 1.1.1` (an interval, read as VERS reads it),
 *   `9.13 | 9.19` (a set), `12.2.x.x` / `4.X` / `1.*` (every version under that prefix), `*`, or a
 *   single version (`==` is read as `=`). Bare versions must hold a digit and no space.
 * Anything else (free text, dates, parenthesised remarks, a comparator on a wildcard, constraints that
 * do not form intervals) is refused with the reason, never guessed at.
 *
 * Containment follows the VERS algorithm: a version equal to an `=`, `<=` or `>=` constraint is in, one
 * equal to a `!=` constraint is out; otherwise the sorted `<`/`>` constraints are read as intervals:
 * below a leading `<`, above a trailing `>`, or between a `>` and the `<` that follows it.
 */
import { compareVersions } from './compare.js'
import { type Ordering, VersionError, type VersionScheme } from './types.js'

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>='

export interface VersionConstraint {
  comparator: Comparator
  version: string
}

export interface VersionRange {
  /** The text as written. */
  raw: string
  scheme: VersionScheme
  /** True for `*`: every version, even one the scheme cannot read. */
  all: boolean
  /** Sorted by version (VERS canonical order); empty when `all`. */
  constraints: VersionConstraint[]
}

export type RangeParse = { ok: true; range: VersionRange } | { ok: false; raw: string; reason: string }

/** VERS versioning schemes (package-url types) and the comparison each uses. */
const VERS_SCHEMES: Record<string, VersionScheme> = {
  deb: 'deb',
  debian: 'deb',
  apk: 'apk',
  alpine: 'apk',
  rpm: 'rpm',
  npm: 'semver',
  semver: 'semver',
  cargo: 'semver',
  golang: 'semver',
  pypi: 'pypi',
  generic: 'generic',
  maven: 'maven',
  nuget: 'nuget',
  gem: 'gem',
  composer: 'composer',
}

const COMPARATOR = /^(!=|==|<=|>=|<|>|=)?(.*)$/
const WILDCARD = /^(?=[0-9A-Za-z])([0-9A-Za-z.+~_^!:-]*?\d)((?:\.[xX*])+)$/
const BARE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+~_^!:-]*$/

/** A range that cannot be read; its message becomes the `reason`. */
class RangeSyntaxError extends Error {}

export function parseRange(text: string, defaultScheme: VersionScheme = 'generic'): RangeParse {
  try {
    const range = /^vers:/i.test(text.trim())
      ? parseVers(text, defaultScheme)
      : parseBare(text, defaultScheme)
    return { ok: true, range }
  } catch (error) {
    if (error instanceof RangeSyntaxError || error instanceof VersionError) {
      return { ok: false, raw: text, reason: error.message }
    }
    throw error
  }
}

function parseVers(raw: string, defaultScheme: VersionScheme): VersionRange {
  const m = /^vers:([^/]*)\/(.*)$/is.exec(raw.trim())
  if (!m) throw new RangeSyntaxError('a vers range needs the form vers:<scheme>/<constraints>')
  const schemeName = (m[1] ?? '').toLowerCase()
  const body = (m[2] ?? '').replace(/\s+/g, '')
  if (body === '*')
    return { raw, scheme: VERS_SCHEMES[schemeName] ?? defaultScheme, all: true, constraints: [] }
  if (schemeName === 'all') throw new RangeSyntaxError('vers:all only allows "*"')
  const scheme = VERS_SCHEMES[schemeName]
  if (!scheme) throw new RangeSyntaxError(`unsupported versioning scheme "${schemeName}"`)
  if (body === '') throw new RangeSyntaxError('no constraints after the scheme')
  const constraints = body.split('|').map((part) => {
    const c = COMPARATOR.exec(part)
    const comparator = c?.[1]
    if (comparator === '==') throw new RangeSyntaxError(`"==" is not a vers comparator in "${part}"`)
    let version: string
    try {
      version = decodeURIComponent(c?.[2] ?? '')
    } catch {
      throw new RangeSyntaxError(`bad percent-encoding in "${part}"`)
    }
    if (version === '' || version === '*') throw new RangeSyntaxError(`constraint "${part}" has no version`)
    return { comparator: (comparator ?? '=') as Comparator, version }
  })
  return { raw, scheme, all: false, constraints: normalise(scheme, constraints) }
}

function parseBare(raw: string, scheme: VersionScheme): VersionRange {
  const text = raw.trim()
  if (text === '') throw new RangeSyntaxError('empty range')
  if (text === '*') return { raw, scheme, all: true, constraints: [] }
  const constraints: VersionConstraint[] = []
  const wildcards: [VersionConstraint, VersionConstraint][] = []
  for (const part of text.split('|').map((p) => p.trim())) {
    const c = COMPARATOR.exec(part)
    const comparator = (c?.[1] === '==' ? '=' : (c?.[1] ?? '=')) as Comparator
    const version = (c?.[2] ?? '').trim()
    if (version === '') throw new RangeSyntaxError(`"${part}" has no version`)
    const wildcard = WILDCARD.exec(version)
    if (wildcard) {
      if (c?.[1] !== undefined)
        throw new RangeSyntaxError(`"${part}": a comparator on a wildcard version is ambiguous`)
      wildcards.push(wildcardBounds(scheme, wildcard[1] ?? ''))
      continue
    }
    if (!BARE_VERSION.test(version)) {
      throw new RangeSyntaxError(
        `"${part}" is not a comparator followed by one version (free text is not a range)`,
      )
    }
    if (!/\d/.test(version))
      throw new RangeSyntaxError(`"${version}" has no digit, so it is not read as a version`)
    constraints.push({ comparator, version })
  }
  constraints.push(...joinIntervals(scheme, wildcards))
  return { raw, scheme, all: false, constraints: normalise(scheme, constraints) }
}

/** Wildcard intervals that touch or overlap (`4.X | 5.X`) become one, as VERS wants unique bounds. */
function joinIntervals(
  scheme: VersionScheme,
  intervals: [VersionConstraint, VersionConstraint][],
): VersionConstraint[] {
  const cmp = (a: VersionConstraint, b: VersionConstraint) => compareVersions(scheme, a.version, b.version)
  const sorted = [...intervals].sort((a, b) => cmp(a[0], b[0]))
  const joined: [VersionConstraint, VersionConstraint][] = []
  for (const [lo, hi] of sorted) {
    const last = joined[joined.length - 1]
    if (last && cmp(lo, last[1]) <= 0) {
      if (cmp(hi, last[1]) > 0) last[1] = hi
    } else {
      joined.push([lo, hi])
    }
  }
  return joined.flat()
}

/** `12.2.x.x` → `>= 12.2` and `<` the smallest version of `12.3` in the scheme. */
function wildcardBounds(scheme: VersionScheme, prefix: string): [VersionConstraint, VersionConstraint] {
  const next = prefix.replace(/\d+$/, (n) => (BigInt(n) + 1n).toString())
  const pad = (v: string) => [...v.split('.'), '0', '0'].slice(0, Math.max(3, v.split('.').length)).join('.')
  const lowest: Record<VersionScheme, (v: string) => string> = {
    deb: (v) => `${v}~`,
    rpm: (v) => `${v}~`,
    apk: (v) => `${v}_alpha`,
    pypi: (v) => `${v}.dev0`,
    semver: (v) => `${pad(v)}-0`,
    generic: (v) => v,
    maven: (v) => `${v}-alpha`,
    nuget: (v) => `${pad(v)}-0`,
    gem: (v) => `${v}.a`,
    composer: (v) => `${v}-dev`,
  }
  const low = lowest[scheme]
  return [
    { comparator: '>=', version: low(prefix) },
    { comparator: '<', version: low(next) },
  ]
}

const isLower = (c: Comparator): boolean => c === '>' || c === '>='
const isUpper = (c: Comparator): boolean => c === '<' || c === '<='

/**
 * Checks every version against the scheme, sorts, merges repeats (the same constraint twice is
 * one; `>= v` with `<= v` is `= v`), and refuses other constraints that repeat a version (VERS
 * requires unique versions: `>= 1 | < 1` would otherwise read as containing 1) or do not form
 * intervals.
 */
function normalise(scheme: VersionScheme, constraints: VersionConstraint[]): VersionConstraint[] {
  for (const c of constraints) compareVersions(scheme, c.version, c.version)
  const sorted = [...constraints].sort((a, b) => compareVersions(scheme, a.version, b.version))
  const unique: VersionConstraint[] = []
  for (const c of sorted) {
    const prev = unique[unique.length - 1]
    if (!prev || compareVersions(scheme, prev.version, c.version) !== 0) {
      unique.push(c)
    } else if (prev.comparator === c.comparator) {
    } else if (
      new Set([prev.comparator, c.comparator]).size === 2 &&
      [prev, c].every((x) => /^[<>]=$/.test(x.comparator))
    ) {
      unique[unique.length - 1] = { comparator: '=', version: prev.version }
    } else {
      throw new RangeSyntaxError(
        `constraints "${prev.comparator}${prev.version}" and "${c.comparator}${c.version}" repeat one version`,
      )
    }
  }
  const bounds = unique.filter((c) => isLower(c.comparator) || isUpper(c.comparator))
  for (let i = 1; i < bounds.length; i++) {
    const prev = bounds[i - 1]
    const cur = bounds[i]
    if (prev && cur && isLower(prev.comparator) === isLower(cur.comparator)) {
      throw new RangeSyntaxError(
        `constraints "${prev.comparator}${prev.version}" and "${cur.comparator}${cur.version}" do not form an interval`,
      )
    }
  }
  return unique
}

/**
 * Whether `version` lies in `range`; undefined when it cannot be decided because the version is not
 * valid in the range's scheme (the caller should ask a human).
 */
export function rangeContains(range: VersionRange, version: string): boolean | undefined {
  if (range.all) return true
  const cmp = (v: string): Ordering => compareVersions(range.scheme, version, v)
  try {
    cmp(version)
    for (const c of range.constraints) {
      if (cmp(c.version) !== 0) continue
      if (c.comparator === '!=') return false
      if (c.comparator !== '<' && c.comparator !== '>') return true
    }
    const bounds = range.constraints.filter((c) => isLower(c.comparator) || isUpper(c.comparator))
    if (bounds.length === 0) return range.constraints.every((c) => c.comparator === '!=')
    const first = bounds[0]
    const last = bounds[bounds.length - 1]
    if (first && isUpper(first.comparator) && cmp(first.version) < 0) return true
    if (last && isLower(last.comparator) && cmp(last.version) > 0) return true
    for (let i = 0; i + 1 < bounds.length; i++) {
      const lo = bounds[i]
      const hi = bounds[i + 1]
      if (lo && hi && isLower(lo.comparator) && cmp(lo.version) > 0 && cmp(hi.version) < 0) return true
    }
    return false
  } catch (error) {
    if (error instanceof VersionError) return undefined
    throw error
  }
}
