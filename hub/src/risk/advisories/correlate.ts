/**
 * One target × the advisory index → findings, enriched with KEV and EPSS by CVE. Shared by the hub's
 * ingest hook and the offline scanner. Findings are unique per (advisory, cve, component purl/name).
 */
import type { AdvisoryIndex } from './advisory-index.js'
import { matchDevice } from './match-device.js'
import { matchPackage } from './match-package.js'
import type { MatchTarget } from './target.js'
import type { Finding, KevEntry } from './types.js'
import { basicKey } from './vendor.js'

export interface Enrichment {
  kev: ReadonlyMap<string, KevEntry>
  epss: ReadonlyMap<string, number>
}

const CONFIDENCE_RANK: Record<Finding['confidence'], number> = { exact: 3, range: 2, review: 1 }
const TIER_RANK = { exact: 3, alias: 2, review: 1 } as const
/** Tier first (CSAF device matches), then confidence: the most decisive entry speaks. */
const rank = (f: Finding): number =>
  (f.why.tier ? TIER_RANK[f.why.tier] : 0) * 4 + CONFIDENCE_RANK[f.confidence]

export const NO_ENRICHMENT: Enrichment = { kev: new Map(), epss: new Map() }

function enrich(f: Omit<Finding, 'kev'>, cves: string[], e: Enrichment): Finding {
  const kevCve = cves.find((c) => e.kev.has(c))
  const kev = kevCve !== undefined ? e.kev.get(kevCve) : undefined
  const epssScores = cves.map((c) => e.epss.get(c)).filter((x): x is number => x !== undefined)
  const out: Finding = { ...f, cve: f.cve ?? kevCve ?? null, kev: kev !== undefined }
  if (kev !== undefined) out.kevDueDate = kev.dueDate
  if (epssScores.length > 0) out.epss = Math.max(...epssScores)
  return out
}

/** "BD Alaris PCU" stays as is for vendor "BD"; otherwise the vendor is put in front of the model. */
function deviceName(d: MatchTarget['devices'][number]): string {
  return basicKey(d.model).startsWith(`${basicKey(d.vendor)} `) ? d.model : `${d.vendor} ${d.model}`
}

export function correlate(
  target: MatchTarget,
  index: AdvisoryIndex,
  e: Enrichment = NO_ENRICHMENT,
): Finding[] {
  const out = new Map<string, Finding>()
  const put = (f: Finding) => {
    const key = `${f.advisory}|${f.cve ?? ''}|${f.component.purl ?? f.component.name}|${f.component.version}`
    // Several entries of one advisory may name the product: the most decisive one speaks.
    const held = out.get(key)
    if (held === undefined || rank(f) > rank(held)) out.set(key, f)
  }
  // The index keeps each (package key, installed version)'s candidates until the key's affects change
  // (`package-slots.ts`), so binary packages of one source and images sharing a version cost a lookup.
  for (const p of target.packages) {
    for (const { advisory, affect } of index.packageMatchCandidates(p)) {
      const verdict = matchPackage(advisory, affect, p)
      if (verdict === null) continue
      const cves = [...advisory.cves].sort((a, b) => Number(e.kev.has(b)) - Number(e.kev.has(a)))
      put(
        enrich(
          {
            advisory: advisory.id,
            cve: cves[0] ?? null,
            component: { name: p.name, version: p.version, purl: p.purl },
            affected: affect.affected,
            fixed: verdict.fixed,
            severity: advisory.severity,
            confidence: verdict.confidence,
            why: {
              source: 'osv',
              entry: `${affect.ecosystem}${affect.release ? `:${affect.release}` : ''} ${affect.name}`,
              installed:
                p.source?.name === affect.name && p.source.version
                  ? `${p.version} (source ${p.source.version})`
                  : p.version,
              reason: verdict.reason,
            },
          },
          cves,
          e,
        ),
      )
    }
  }
  for (const d of target.devices) {
    for (const { advisory, product, identified } of index.productCandidates(d)) {
      for (const hit of matchDevice(advisory, product, d, identified)) {
        put(
          enrich(
            {
              advisory: advisory.id,
              cve: hit.cve,
              component: { name: deviceName(d), version: d.firmware, purl: d.purl },
              affected: product.versionRaw,
              fixed: hit.fixed,
              severity: hit.severity,
              confidence: hit.verdict.confidence,
              why: {
                source: 'csaf',
                entry: `${product.productId}: ${product.vendor} / ${product.product} / ${product.versionRaw}`,
                installed: d.firmware,
                reason: hit.verdict.reason,
                tier: hit.tier,
                identified: hit.identified,
              },
            },
            hit.cve ? [hit.cve] : [],
            e,
          ),
        )
      }
    }
  }
  return [...out.values()]
}
