/** The version orderings Vigil knows. Each names the tool whose rules it follows (see the scheme's module). */
export type VersionScheme =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'semver'
  | 'pypi'
  | 'generic'
  | 'maven'
  | 'nuget'
  | 'gem'
  | 'composer'

/** Every supported scheme, in a stable order (for menus, validation and tests). */
export const VERSION_SCHEMES: readonly VersionScheme[] = [
  'deb',
  'apk',
  'rpm',
  'semver',
  'pypi',
  'generic',
  'maven',
  'nuget',
  'gem',
  'composer',
]

/** The sign of a comparison: -1 when a < b, 0 when equal, 1 when a > b. */
export type Ordering = -1 | 0 | 1

/** Thrown by `compareVersions` for a version its scheme's grammar rejects; `message` says why. */
export class VersionError extends Error {
  readonly scheme: VersionScheme
  readonly version: string
  constructor(scheme: VersionScheme, version: string, reason: string) {
    super(`invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`)
    this.name = 'VersionError'
    this.scheme = scheme
    this.version = version
  }
}

export function isVersionScheme(value: unknown): value is VersionScheme {
  return typeof value === 'string' && (VERSION_SCHEMES as readonly string[]).includes(value)
}

/** Clamps any number to an Ordering. */
export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0
}

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers (leading zeros ignored), so
 * `20240101000000000000` and `9` compare correctly without overflow. An empty string counts as 0.
 */
export function compareDigits(a: string, b: string): Ordering {
  const x = a.replace(/^0+/, '')
  const y = b.replace(/^0+/, '')
  if (x.length !== y.length) return x.length < y.length ? -1 : 1
  return x < y ? -1 : x > y ? 1 : 0
}

/** Plain byte-wise (code unit) string comparison, independent of locale. */
export function compareStrings(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Wraps a pure parser with a bounded cache (cleared when full), so the same versions compared again
 * and again — a range's bounds against a fleet's packages — are parsed once. Parsers that throw are
 * not cached. Cached values must be treated as read-only.
 */
export function memoize<T>(parse: (input: string) => T, size = 8192): (input: string) => T {
  const cache = new Map<string, T>()
  return (input) => {
    const hit = cache.get(input)
    if (hit !== undefined) return hit
    const value = parse(input)
    if (cache.size >= size) cache.clear()
    cache.set(input, value)
    return value
  }
}
