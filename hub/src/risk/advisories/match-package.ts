/**
 * OSV affected entry × installed package → finding or nothing. Events are evaluated as the OSV spec
 * describes (sort by version, walk: introduced opens, fixed/last_affected close), with the ecosystem's
 * comparator from `@vigil/protocol`. An incomparable version yields a `review` finding, never a guess.
 */
import type { VersionScheme } from '@vigil/protocol'
import type { MatchPackage } from './target.js'
import type { Advisory, Confidence, OsvEvents, PackageAffect } from './types.js'
import { tryCompare } from './versions.js'

export interface PackageVerdict {
  confidence: Confidence
  fixed: string | null
  reason: string
}

class Incomparable extends Error {}

function cmp(scheme: VersionScheme, a: string, b: string): number {
  const r = tryCompare(scheme, a, b)
  if (r === undefined) throw new Incomparable(`cannot compare "${a}" and "${b}" as ${scheme} versions`)
  return r
}

type Ev = OsvEvents['events'][number]
const value = (e: Ev): string =>
  'introduced' in e ? e.introduced : 'fixed' in e ? e.fixed : 'last_affected' in e ? e.last_affected : e.limit

/**
 * A range's events in the order the OSV walk visits them (`limit` left out); throws when two events
 * cannot be compared. `package-slots.ts` reads a range's upper end from the same order.
 */
export function sortedEvents(scheme: VersionScheme, range: OsvEvents): Ev[] {
  const events = range.events.filter((e) => !('limit' in e))
  return events.sort((a, b) => {
    const [x, y] = [value(a), value(b)]
    if ('introduced' in a && x === '0') return -1
    if ('introduced' in b && y === '0') return 1
    return cmp(scheme, x, y)
  })
}

/** Affected per one range; returns the fixed version closing the interval that contains `v`. */
function inRange(
  scheme: VersionScheme,
  range: OsvEvents,
  v: string,
): { affected: boolean; fixed: string | null } {
  const sorted = sortedEvents(scheme, range)
  let affected = false
  let fixed: string | null = null
  for (const [i, e] of sorted.entries()) {
    if ('introduced' in e) {
      if (e.introduced === '0' || cmp(scheme, v, e.introduced) >= 0) {
        affected = true
        const close = sorted.slice(i + 1).find((n) => !('introduced' in n))
        fixed = close && 'fixed' in close ? close.fixed : null
      }
    } else if ('fixed' in e) {
      if (cmp(scheme, v, e.fixed) >= 0) affected = false
    } else if ('last_affected' in e) {
      if (cmp(scheme, v, e.last_affected) > 0) affected = false
    }
  }
  return { affected, fixed: affected ? fixed : null }
}

/** The version compared: the source version for source-named distro advisories. */
export function comparedVersion(p: MatchPackage, affect: PackageAffect): string {
  if ((p.purlType === 'deb' || p.purlType === 'apk') && p.source?.name === affect.name && p.source.version) {
    return p.source.version
  }
  return p.version
}

export function matchPackage(
  advisory: Advisory,
  affect: PackageAffect,
  p: MatchPackage,
): PackageVerdict | null {
  if (advisory.withdrawn) return null
  const v = comparedVersion(p, affect)
  if (affect.versions.includes(v)) {
    return { confidence: 'exact', fixed: affect.fixed, reason: `${v} is listed among the affected versions` }
  }
  const ranges = affect.ranges.filter((r) => r.type !== 'GIT')
  try {
    for (const r of ranges) {
      const hit = inRange(affect.scheme, r, v)
      if (hit.affected) {
        return {
          confidence: affect.schemeExact ? 'exact' : 'range',
          fixed: hit.fixed,
          reason: `${v} is inside ${affect.affected} (${affect.scheme} ordering${affect.schemeExact ? '' : ', approximated'})`,
        }
      }
    }
  } catch (e) {
    if (e instanceof Incomparable) {
      return {
        confidence: 'review',
        fixed: affect.fixed,
        reason: `${e.message}: needs review against ${affect.affected}`,
      }
    }
    throw e
  }
  return null
}
