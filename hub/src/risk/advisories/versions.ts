/**
 * The one place advisories touch version ordering: everything comes from `@vigil/protocol`'s versions
 * module (no comparator is written here). `schemeSupported` probes optional schemes once.
 */
import { compareVersions, type VersionScheme } from '@vigil/protocol'

export { compareVersions }

const probed = new Map<string, boolean>()

/** Whether `compareVersions` knows the scheme (the optional extras may be missing). */
export function schemeSupported(scheme: string): boolean {
  const known = probed.get(scheme)
  if (known !== undefined) return known
  let ok: boolean
  try {
    compareVersions(scheme as VersionScheme, '1', '1')
    ok = true
  } catch {
    ok = false
  }
  probed.set(scheme, ok)
  return ok
}

/** compareVersions that answers undefined instead of throwing on an invalid version. */
export function tryCompare(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 | undefined {
  try {
    return compareVersions(scheme, a, b)
  } catch {
    return undefined
  }
}
