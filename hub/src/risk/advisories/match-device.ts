/**
 * CSAF product × device (vendor/model/firmware, CPE, purl, serial) → findings, one per vulnerability
 * (CVE) that lists the product as affected. How the device was identified (`identify.ts`) and the
 * version expression decide together:
 *   version inside → `exact` (the advisory names this very version) or `range`; outside → nothing;
 *   undecidable, unreadable, or read from prose (`free-text-range.ts`) → `review`;
 *   a name the device only shares in part → `review` whatever the version says.
 * The tier (`exact` / `alias` / `review`) and the reason are recorded on the finding.
 */

import { readingContains } from './free-text-range.js'
import type { Identification } from './identify.js'
import { cpeKey } from './identify.js'
import { rangeContains } from './ranges.js'
import type { MatchDevice } from './target.js'
import type { Advisory, Confidence, MatchTier, ProductAffect } from './types.js'
import { basicKey } from './vendor.js'
import { tryCompare } from './versions.js'

export interface DeviceVerdict {
  confidence: Confidence
  reason: string
}

/** The version the device runs: its firmware, else the version of the CPE it reports. */
function installed(d: MatchDevice): string {
  if (d.firmware !== '') return d.firmware
  return (d.cpe ? cpeKey(d.cpe)?.version : null) ?? ''
}

function unreadable(product: ProductAffect, fw: string): DeviceVerdict | null {
  // "1.3.1 Build 13": a named version the generic ordering cannot read, but the device says the same.
  if (
    product.versionKind === 'version' &&
    product.versionRaw.split('|').some((v) => basicKey(v) !== '' && basicKey(v) === basicKey(fw))
  )
    return { confidence: 'exact', reason: `firmware ${fw} is the affected version named by the advisory` }
  const read = product.freeText
  if (read) {
    const inside = readingContains(read, fw)
    if (inside === false) return null
    const remark = read.remark ? ` (set aside: "${read.remark}")` : ''
    return {
      confidence: 'review',
      reason:
        inside === true
          ? `"${product.versionRaw}" is prose, read as "${read.read}"${remark}: firmware ${fw} is inside; confirm`
          : `"${product.versionRaw}" is prose, read as "${read.read}", and firmware ${fw} is not comparable with it`,
    }
  }
  return {
    confidence: 'review',
    reason: `"${product.versionRaw}" cannot be evaluated (${product.unparseable ?? 'no range'}); firmware ${fw} needs review`,
  }
}

export function matchDeviceVersion(product: ProductAffect, d: MatchDevice): DeviceVerdict | null {
  const fw = installed(d)
  if (fw === '') return { confidence: 'review', reason: 'the device reports no firmware version' }
  if (product.range === null) return unreadable(product, fw)
  const inside = rangeContains(product.range, fw)
  if (inside === undefined) {
    return {
      confidence: 'review',
      reason: `firmware ${fw} is not comparable with "${product.versionRaw}"`,
    }
  }
  if (!inside) return null
  // Exact when the advisory names this very version (a `product_version`, or one of a `9.13 | 9.19` set).
  const range = product.range
  const exact = range.constraints.some(
    (c) => c.comparator === '=' && tryCompare(range.scheme, c.version, fw) === 0,
  )
  return {
    confidence: exact ? 'exact' : 'range',
    reason: exact
      ? `firmware ${fw} is the affected version named by the advisory`
      : `firmware ${fw} is inside "${product.versionRaw}"`,
  }
}

export interface DeviceHit {
  cve: string | null
  fixed: string | null
  severity: Advisory['severity']
  verdict: DeviceVerdict
  tier: MatchTier
  identified: string
}

/** Serial numbers listed by the entry narrow it; null when the device is not one of them. */
function serialCheck(product: ProductAffect, d: MatchDevice, id: Identification): Identification | null {
  const serials = product.ids?.serials ?? []
  if (serials.length === 0) return id
  if (!d.serial)
    return { tier: 'partial', via: `${id.via}; the entry lists serial numbers, the device reports none` }
  return serials.some((s) => basicKey(s) === basicKey(d.serial ?? ''))
    ? { tier: 'exact', via: `${id.via}, serial number ${d.serial}` }
    : null
}

/** Every (vulnerability) hit of one product entry for one device identified as `identified`. */
export function matchDevice(
  advisory: Advisory,
  product: ProductAffect,
  d: MatchDevice,
  identified: Identification = { tier: 'exact', via: 'product name' },
): DeviceHit[] {
  if (advisory.withdrawn) return []
  const vulns = advisory.vulnerabilities.filter((v) => v.knownAffected.includes(product.productId))
  if (vulns.length === 0) return []
  const id = serialCheck(product, d, identified)
  if (id === null) return []
  let verdict = matchDeviceVersion(product, d)
  if (verdict === null) return []
  if (id.tier === 'partial')
    verdict = { confidence: 'review', reason: `${id.via}: is this the product? ${verdict.reason}` }
  const tier: MatchTier = verdict.confidence === 'review' ? 'review' : id.tier === 'exact' ? 'exact' : 'alias'
  return vulns.map((v) => ({
    cve: v.cve,
    fixed: v.fixedVersion[product.productId] ?? null,
    severity: v.severity ?? advisory.severity,
    verdict,
    tier,
    identified: id.via,
  }))
}
