/**
 * NuGet package versions (NuGet.Versioning): `Major[.Minor[.Patch[.Revision]]][-prerelease][+metadata]`.
 * Missing numeric parts are 0 and leading zeros are ignored (`1.0` = `1.0.0.0`, `1.0.01` = `1.0.1`);
 * metadata is ignored; a prerelease sorts below its release, its dot-separated labels compare
 * numerically when all digits (below non-numeric labels), otherwise case-insensitively by ASCII,
 * and a shorter list of equal labels sorts first. Anything else is a `VersionError`.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

const NUGET =
  /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]*)?$/

interface NugetVersion {
  numbers: string[]
  prerelease: string[]
}

function parseNuget(input: string): NugetVersion {
  const m = NUGET.exec(input.trim())
  if (!m) throw new VersionError('nuget', input, 'not a NuGet version (N[.N[.N[.N]]][-pre][+meta])')
  return {
    numbers: [m[1], m[2], m[3], m[4]].map((n) => n ?? '0'),
    prerelease: m[5] ? m[5].toLowerCase().split('.') : [],
  }
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s)

function compareLabel(a: string, b: string): Ordering {
  const na = isNumeric(a)
  const nb = isNumeric(b)
  if (na && nb) return compareDigits(a, b)
  if (na !== nb) return na ? -1 : 1
  return compareStrings(a, b)
}

const parseCached = memoize(parseNuget)

export function compareNuget(a: string, b: string): Ordering {
  const x = parseCached(a)
  const y = parseCached(b)
  for (let k = 0; k < 4; k++) {
    const rc = compareDigits(x.numbers[k] ?? '0', y.numbers[k] ?? '0')
    if (rc !== 0) return rc
  }
  const px = x.prerelease
  const py = y.prerelease
  if (px.length === 0 || py.length === 0) return px.length === py.length ? 0 : px.length === 0 ? 1 : -1
  for (let k = 0; k < Math.min(px.length, py.length); k++) {
    const rc = compareLabel(px[k] ?? '', py[k] ?? '')
    if (rc !== 0) return rc
  }
  return px.length === py.length ? 0 : px.length < py.length ? -1 : 1
}
