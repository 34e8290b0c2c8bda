/**
 * OSV ecosystems → package-url type and version scheme. Lookup table, one row per ecosystem; an
 * ecosystem not listed here is unknown and reported by the importer.
 */
import type { VersionScheme } from '@vigil/protocol'
import { schemeSupported } from './versions.js'

interface EcosystemRow {
  purlType: string
  /** Preferred scheme; when the versions module lacks it we fall back to `generic` (confidence `range`). */
  scheme: VersionScheme | 'maven' | 'gem' | 'composer' | 'nuget'
  /** The ecosystem suffix is a distro release that must equal the device's. */
  distro: boolean
  /** Names are case/separator-insensitive (PEP 503). */
  foldName?: 'pep503' | 'lower'
}

const ECOSYSTEMS: Record<string, EcosystemRow> = {
  Debian: { purlType: 'deb', scheme: 'deb', distro: true },
  Ubuntu: { purlType: 'deb', scheme: 'deb', distro: true },
  Alpine: { purlType: 'apk', scheme: 'apk', distro: true },
  Wolfi: { purlType: 'apk', scheme: 'apk', distro: false },
  Chainguard: { purlType: 'apk', scheme: 'apk', distro: false },
  'Red Hat': { purlType: 'rpm', scheme: 'rpm', distro: false },
  AlmaLinux: { purlType: 'rpm', scheme: 'rpm', distro: true },
  'Rocky Linux': { purlType: 'rpm', scheme: 'rpm', distro: true },
  SUSE: { purlType: 'rpm', scheme: 'rpm', distro: false },
  openSUSE: { purlType: 'rpm', scheme: 'rpm', distro: false },
  npm: { purlType: 'npm', scheme: 'semver', distro: false },
  Go: { purlType: 'golang', scheme: 'semver', distro: false },
  'crates.io': { purlType: 'cargo', scheme: 'semver', distro: false },
  PyPI: { purlType: 'pypi', scheme: 'pypi', distro: false, foldName: 'pep503' },
  Maven: { purlType: 'maven', scheme: 'maven', distro: false },
  RubyGems: { purlType: 'gem', scheme: 'gem', distro: false },
  Packagist: { purlType: 'composer', scheme: 'composer', distro: false, foldName: 'lower' },
  NuGet: { purlType: 'nuget', scheme: 'nuget', distro: false, foldName: 'lower' },
  'OSS-Fuzz': { purlType: 'generic', scheme: 'generic', distro: false },
  'Azure Linux': { purlType: 'rpm', scheme: 'rpm', distro: true },
  'Photon OS': { purlType: 'rpm', scheme: 'rpm', distro: true },
  openEuler: { purlType: 'rpm', scheme: 'rpm', distro: true },
  Mageia: { purlType: 'rpm', scheme: 'rpm', distro: true },
  MinimOS: { purlType: 'apk', scheme: 'apk', distro: false },
  Alpaquita: { purlType: 'apk', scheme: 'apk', distro: true },
  Hex: { purlType: 'hex', scheme: 'generic', distro: false, foldName: 'lower' },
  Pub: { purlType: 'pub', scheme: 'generic', distro: false },
  CRAN: { purlType: 'cran', scheme: 'generic', distro: false },
  Hackage: { purlType: 'hackage', scheme: 'generic', distro: false },
  SwiftURL: { purlType: 'swift', scheme: 'semver', distro: false },
}

export interface EcosystemInfo {
  ecosystem: string
  purlType: string
  release: string | null
  scheme: VersionScheme
  schemeExact: boolean
  foldName: EcosystemRow['foldName']
}

/** Splits `Debian:12`, `Alpine:v3.20`, `Ubuntu:22.04:LTS`; null when the ecosystem is unknown. */
export function ecosystemInfo(full: string): EcosystemInfo | null {
  const colon = full.indexOf(':')
  const base = colon < 0 ? full : full.slice(0, colon)
  const suffix = colon < 0 ? '' : full.slice(colon + 1)
  const row = Object.hasOwn(ECOSYSTEMS, base) ? ECOSYSTEMS[base] : undefined
  if (row === undefined) return null
  const release = row.distro && suffix !== '' ? normalizeRelease(suffix) : null
  const supported = schemeSupported(row.scheme)
  return {
    ecosystem: base,
    purlType: row.purlType,
    release,
    scheme: supported ? (row.scheme as VersionScheme) : 'generic',
    schemeExact: supported && row.scheme !== 'generic',
    foldName: row.foldName,
  }
}

/** `v3.20` → `3.20`, `22.04:LTS` → `22.04`, `12` → `12`. */
export function normalizeRelease(suffix: string): string {
  const first = suffix.split(':')[0] ?? suffix
  return first.replace(/^v/i, '').trim().toLowerCase()
}

/** The package name as matched: PEP 503 for PyPI, lower case where the ecosystem is case-blind. */
export function matchName(name: string, fold: EcosystemRow['foldName']): string {
  if (fold === 'pep503') return name.toLowerCase().replace(/[-_.]+/g, '-')
  if (fold === 'lower') return name.toLowerCase()
  return name
}

/** purl type → how its names fold (the installed side of `matchName`). */
export function foldForPurlType(type: string): EcosystemRow['foldName'] {
  if (FOLDS.has(type)) return FOLDS.get(type)
  let fold: EcosystemRow['foldName']
  for (const row of Object.values(ECOSYSTEMS))
    if (fold === undefined && row.purlType === type && row.foldName) fold = row.foldName
  // Asked for every installed package: the table is walked once per purl type (a bounded set: an
  // unknown type is remembered too, up to a limit).
  if (FOLDS.size < 256) FOLDS.set(type, fold)
  return fold
}
const FOLDS = new Map<string, EcosystemRow['foldName']>()
