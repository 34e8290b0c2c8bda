/**
 * `compareVersions(scheme, a, b)`: one entry point, dispatched through a table to the module that
 * implements each scheme's rules (documented there).
 */
import { compareApk } from './apk.js'
import { compareComposer } from './composer.js'
import { compareDeb } from './deb.js'
import { compareGem } from './gem.js'
import { compareGeneric } from './generic.js'
import { compareMaven } from './maven.js'
import { compareNuget } from './nuget.js'
import { comparePypi } from './pypi.js'
import { compareRpm } from './rpm.js'
import { compareSemver } from './semver.js'
import type { Ordering, VersionScheme } from './types.js'

const COMPARATORS: Record<VersionScheme, (a: string, b: string) => Ordering> = {
  deb: compareDeb,
  apk: compareApk,
  rpm: compareRpm,
  semver: compareSemver,
  pypi: comparePypi,
  generic: compareGeneric,
  maven: compareMaven,
  nuget: compareNuget,
  gem: compareGem,
  composer: compareComposer,
}

/**
 * Orders two versions of one scheme: -1 when `a` is older than `b`, 0 when equivalent, 1 when newer.
 * Throws `VersionError` (with the reason) when either is invalid in a scheme that has a grammar.
 */
export function compareVersions(scheme: VersionScheme, a: string, b: string): Ordering {
  const compare = COMPARATORS[scheme]
  if (!compare) throw new TypeError(`unknown version scheme ${JSON.stringify(scheme)}`)
  return compare(a, b)
}
