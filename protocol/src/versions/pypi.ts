/**
 * Python package versions: PEP 440 (as `packaging.version.Version` orders them), with the pre-PEP 440
 * "legacy" ordering of setuptools/`packaging` < 22 for strings PEP 440 rejects.
 *
 * PEP 440 form (case-insensitive, `v` prefix and separators `-_.` tolerated as PEP 440 normalises them):
 * `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`. Ordering: epoch; release numbers with trailing
 * zeros ignored (`1.0` = `1`); then a dev-only release (`1.0.dev1`) < pre-releases (a < b < rc,
 * spellings alpha/beta/c/pre/preview normalised) < the release; then post-releases (`.postN`, `-N`,
 * `.rN`, `.revN`) above it, each dev release below its non-dev counterpart; finally a local label
 * (`+…`) sorts above no label, comparing its dot/dash/underscore-separated parts with numbers above
 * words.
 *
 * Legacy versions (e.g. `0.1-bulbasaur`) sort below every PEP 440 version and compare among
 * themselves by setuptools' legacy key. We implement this here rather than take `@renovatebot/pep440`
 * because its current major needs Node 22+, and no maintained library orders legacy versions, which
 * real advisory data still contains. Only an empty version is a `VersionError`.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

const PEP440 = new RegExp(
  '^v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)' +
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?' +
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' +
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
)

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, pre: 2, preview: 2, rc: 2 }

export interface Pep440Version {
  epoch: string
  release: string[]
  pre: { rank: number; number: string } | null
  post: string | null
  dev: string | null
  local: string[] | null
}

/** Parses a PEP 440 version, or answers null when it is not one. */
export function parsePep440(input: string): Pep440Version | null {
  const m = PEP440.exec(input.trim().toLowerCase())
  if (!m) return null
  const release = (m[2] ?? '0').split('.')
  while (release.length > 1 && /^0+$/.test(release[release.length - 1] ?? '')) release.pop()
  const postSpelled = m[5] ?? (m[6] !== undefined ? (m[7] ?? '0') : undefined)
  return {
    epoch: m[1] ?? '0',
    release,
    pre: m[3] !== undefined ? { rank: PRE_RANK[m[3]] ?? 0, number: m[4] ?? '0' } : null,
    post: postSpelled ?? null,
    dev: m[8] !== undefined ? (m[9] ?? '0') : null,
    local: m[10] !== undefined ? m[10].split(/[-_.]/) : null,
  }
}

function compareLists(a: string[], b: string[], cmp: (x: string, y: string) => Ordering): Ordering {
  const n = Math.min(a.length, b.length)
  for (let k = 0; k < n; k++) {
    const rc = cmp(a[k] ?? '', b[k] ?? '')
    if (rc !== 0) return rc
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/** null sorts as `nullRank` (-1 below, 1 above) every present value. */
function optional<T>(x: T | null, y: T | null, nullRank: -1 | 1, cmp: (p: T, q: T) => Ordering): Ordering {
  if (x === null || y === null) return x === y ? 0 : x === null ? nullRank : (-nullRank as Ordering)
  return cmp(x, y)
}

function preGroup(v: Pep440Version): number {
  if (v.pre === null && v.post === null && v.dev !== null) return 0
  return v.pre === null ? 2 : 1
}

const isNumber = (s: string): boolean => /^\d+$/.test(s)

function compareLocalPart(a: string, b: string): Ordering {
  const na = isNumber(a)
  const nb = isNumber(b)
  if (na && nb) return compareDigits(a, b)
  if (na !== nb) return na ? 1 : -1
  return compareStrings(a, b)
}

function comparePep440(x: Pep440Version, y: Pep440Version): Ordering {
  const gx = preGroup(x)
  const gy = preGroup(y)
  return (
    compareDigits(x.epoch, y.epoch) ||
    compareLists(x.release, y.release, compareDigits) ||
    (gx !== gy ? (gx < gy ? -1 : 1) : 0) ||
    optional(x.pre, y.pre, -1, (p, q) =>
      p.rank !== q.rank ? (p.rank < q.rank ? -1 : 1) : compareDigits(p.number, q.number),
    ) ||
    optional(x.post, y.post, -1, compareDigits) ||
    optional(x.dev, y.dev, 1, compareDigits) ||
    optional(x.local, y.local, -1, (p, q) => compareLists(p, q, compareLocalPart))
  )
}

const LEGACY_REPLACE: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' }

/** setuptools' legacy sort key: zero-padded numbers and `*`-prefixed words. */
export function legacyKey(input: string): string[] {
  const parts: string[] = []
  const raw = input.toLowerCase().split(/(\d+|[a-z]+|\.|-)/)
  raw.push('*final')
  for (const piece of raw) {
    let part = LEGACY_REPLACE[piece] ?? piece
    if (part === '' || part === '.') continue
    if (part !== '*final') part = /^\d/.test(part) ? part.padStart(8, '0') : `*${part}`
    if (part.startsWith('*')) {
      if (part < '*final') while (parts[parts.length - 1] === '*final-') parts.pop()
      while (parts[parts.length - 1] === '00000000') parts.pop()
    }
    parts.push(part)
  }
  return parts
}

const parseCached = memoize((v: string) => parsePep440(v) ?? false)
const legacyCached = memoize(legacyKey)

export function comparePypi(a: string, b: string): Ordering {
  for (const v of [a, b]) if (v.trim() === '') throw new VersionError('pypi', v, 'version string is empty')
  const x = parseCached(a)
  const y = parseCached(b)
  if (x && y) return comparePep440(x, y)
  if (x || y) return x ? 1 : -1
  return compareLists(legacyCached(a), legacyCached(b), compareStrings)
}
