/**
 * CSAF product × device (vendor/model/firmware) → findings, one per vulnerability (CVE) that lists the
 * product as affected. The version expression decides: inside → `exact` (the advisory names this very
 * version) or `range`; outside → nothing; undecidable or unparseable → `review`.
 */

import { rangeContains } from './ranges.js'
import type { MatchDevice } from './target.js'
import type { Advisory, Confidence, ProductAffect } from './types.js'
import { tryCompare } from './versions.js'

export interface DeviceVerdict {
  confidence: Confidence
  reason: string
}

export function matchDeviceVersion(product: ProductAffect, d: MatchDevice): DeviceVerdict | null {
  if (product.range === null) {
    return {
      confidence: 'review',
      reason: `"${product.versionRaw}" cannot be evaluated (${product.unparseable ?? 'no range'}); firmware ${d.firmware} needs review`,
    }
  }
  const inside = rangeContains(product.range, d.firmware)
  if (inside === undefined) {
    return {
      confidence: 'review',
      reason: `firmware ${d.firmware} is not comparable with "${product.versionRaw}"`,
    }
  }
  if (!inside) return null
  // Exact when the advisory names this very version (a `product_version`, or one of a `9.13 | 9.19` set).
  const range = product.range
  const exact = range.constraints.some(
    (c) => c.comparator === '=' && tryCompare(range.scheme, c.version, d.firmware) === 0,
  )
  return {
    confidence: exact ? 'exact' : 'range',
    reason: exact
      ? `firmware ${d.firmware} is the affected version named by the advisory`
      : `firmware ${d.firmware} is inside "${product.versionRaw}"`,
  }
}

export interface DeviceHit {
  cve: string | null
  fixed: string | null
  severity: Advisory['severity']
  verdict: DeviceVerdict
}

/** Every (vulnerability) hit of one product entry for one device. */
export function matchDevice(advisory: Advisory, product: ProductAffect, d: MatchDevice): DeviceHit[] {
  if (advisory.withdrawn) return []
  const vulns = advisory.vulnerabilities.filter((v) => v.knownAffected.includes(product.productId))
  if (vulns.length === 0) return []
  const verdict = matchDeviceVersion(product, d)
  if (verdict === null) return []
  return vulns.map((v) => ({
    cve: v.cve,
    fixed: v.fixedVersion[product.productId] ?? null,
    severity: v.severity ?? advisory.severity,
    verdict,
  }))
}
