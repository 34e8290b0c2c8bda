/**
 * CSAF 2.0 → `Advisory`. Validated against the real schema and the mandatory tests in
 * `csaf-checks.ts`; the product tree is flattened to vendor/product/version leaves; version
 * expressions go through `parseRange` and, when unparseable, are kept with the reason (findings of
 * confidence `review`). The fixed version comes from `product_status.fixed` or, only when it is
 * unambiguous, from remediation prose (`remediation-fixed.ts`).
 */
import type { Severity } from '@vigil/protocol'
import { severityFromScores } from '../cvss.js'
import { CWE } from '../cwe/catalogue.js'
import { csafExploitHint } from '../exploit-hints.js'
import { readFreeText } from '../free-text-range.js'
import { productNames } from '../product-names.js'
import type { VersionRange } from '../ranges.js'
import { parseRange, rangeContains } from '../ranges.js'
import type { Advisory, CsafVulnerability, ProductAffect } from '../types.js'
import { productKey, type VendorMatcher } from '../vendor.js'
import { mandatoryChecks, unknownCwes } from './csaf-checks.js'
import { flattenProductTree, type RawProductTree, type TreeLeaf } from './csaf-tree.js'
import { fixedFromRemediations, type RawRemediation } from './remediation-fixed.js'
import { csafValidator } from './schemas.js'

export type CsafParse = { ok: true; advisory: Advisory; notes: string[] } | { ok: false; reason: string }

export interface RawCsafScore {
  products: string[]
  cvss_v3?: { vectorString?: string; baseScore?: number }
  cvss_v2?: { vectorString?: string; baseScore?: number }
}
export interface RawCsafVulnerability {
  cve?: string
  ids?: { system_name: string; text: string }[]
  product_status?: Record<string, string[] | undefined>
  scores?: RawCsafScore[]
  remediations?: RawRemediation[]
  threats?: { category?: string; details?: string }[]
  references?: { url?: string }[]
}
export interface RawCsaf {
  document: {
    category: string
    csaf_version: string
    title: string
    tracking: { id: string; version: string; status: string }
  }
  product_tree?: RawProductTree
  vulnerabilities?: RawCsafVulnerability[]
}

export function isCsafDocument(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || !('document' in doc)) return false
  const d = (doc as { document: unknown }).document
  return typeof d === 'object' && d !== null && 'csaf_version' in d
}

const SEVERITY_ORDER: Severity[] = ['none', 'low', 'medium', 'high', 'critical']

function toProduct(leaf: TreeLeaf, vendors: VendorMatcher): ProductAffect {
  let range: VersionRange | null = null
  let unparseable: string | null = null
  if (leaf.versionKind !== 'none') {
    const parsed = parseRange(leaf.versionRaw, 'generic')
    if (parsed.ok) range = parsed.range
    else unparseable = parsed.reason
  } else {
    unparseable = 'the product entry gives no version'
  }
  const h = leaf.helper
  return {
    productId: leaf.productId,
    vendor: leaf.vendor,
    vendorKey: vendors.canonical(leaf.vendor),
    product: leaf.product,
    productKey: productKey(leaf.product),
    versionRaw: leaf.versionKind === 'none' ? leaf.fullName : leaf.versionRaw,
    versionKind: leaf.versionKind,
    range,
    unparseable,
    names: productNames(leaf.product, h),
    ids: { cpe: h?.cpe ?? null, purl: h?.purl ?? null, serials: h?.serial_numbers ?? [] },
    freeText: range === null && leaf.versionKind !== 'none' ? readFreeText(leaf.versionRaw) : null,
  }
}

const list = (status: Record<string, string[] | undefined> | undefined, ...keys: string[]): string[] => [
  ...new Set(keys.flatMap((k) => status?.[k] ?? [])),
]

/** A fixed product's version as a single version: `9.34` or `>= 9.34`; else null. */
function singleVersion(p: ProductAffect): string | null {
  if (p.versionKind === 'version') return p.versionRaw.trim()
  const m = /^>=\s*([0-9][\w.+~-]*)$/.exec(p.versionRaw.trim())
  return m?.[1] ?? null
}

function fixedVersions(
  v: RawCsafVulnerability,
  affected: string[],
  byId: Map<string, ProductAffect>,
): Record<string, string> {
  const out: Record<string, string> = {}
  const fixedProducts = list(v.product_status, 'fixed', 'first_fixed')
    .map((id) => byId.get(id))
    .filter((p): p is ProductAffect => p !== undefined)
  const prose = fixedFromRemediations(v.remediations ?? [], byId)
  for (const id of affected) {
    const p = byId.get(id)
    if (p === undefined) continue
    const same = fixedProducts.filter((f) => f.vendorKey === p.vendorKey && f.productKey === p.productKey)
    const candidates = new Set(same.map(singleVersion).filter((x): x is string => x !== null))
    let fixed: string | undefined
    if (candidates.size === 1) fixed = [...candidates][0]
    else if (candidates.size === 0) fixed = prose.get(id)
    // A "fixed" version the affected range still contains is a contradiction: never guess.
    if (fixed !== undefined && !(p.range !== null && rangeContains(p.range, fixed) === true)) out[id] = fixed
  }
  return out
}

export function normalizeCsaf(doc: unknown, origin: string, vendors: VendorMatcher): CsafParse {
  const validator = csafValidator()
  if (!validator.check(doc))
    return { ok: false, reason: `CSAF schema: ${validator.errors(doc, 3).join('; ')}` }
  const csaf = doc as RawCsaf
  const failed = mandatoryChecks(csaf)
  if (failed !== null) return { ok: false, reason: `CSAF mandatory test ${failed}` }
  const notes = unknownCwes(csaf).map(
    (id) =>
      `${csaf.document.tracking.id}: ${id} is not in the bundled CWE catalogue (${CWE.versions}): its name was not checked (test 6.1.11)`,
  )
  const products = flattenProductTree(csaf.product_tree).map((l) => toProduct(l, vendors))
  const byId = new Map(products.map((p) => [p.productId, p]))
  const vulnerabilities: CsafVulnerability[] = []
  let worst: { score: number; severity: Severity } | null = null
  for (const v of csaf.vulnerabilities ?? []) {
    const knownAffected = list(v.product_status, 'known_affected', 'first_affected', 'last_affected')
    const sev = severityFromScores(
      (v.scores ?? []).map((s) => ({
        vector: s.cvss_v3?.vectorString,
        baseScore: s.cvss_v3?.baseScore ?? s.cvss_v2?.baseScore,
      })),
    )
    if (sev && (worst === null || sev.score > worst.score)) worst = sev
    vulnerabilities.push({
      cve: v.cve ?? null,
      ids: (v.ids ?? []).map((i) => i.text),
      severity: sev?.severity ?? null,
      score: sev?.score ?? null,
      knownAffected,
      fixed: list(v.product_status, 'fixed', 'first_fixed'),
      knownNotAffected: list(v.product_status, 'known_not_affected'),
      fixedVersion: fixedVersions(v, knownAffected, byId),
      vectors: (v.scores ?? [])
        .flatMap((s) => [s.cvss_v3?.vectorString, s.cvss_v2?.vectorString])
        .filter((x): x is string => typeof x === 'string'),
      exploit: csafExploitHint(v.threats, v.references),
    })
  }
  for (const p of products) {
    if (p.unparseable !== null && p.versionKind !== 'none') {
      notes.push(
        `${csaf.document.tracking.id}: "${p.versionRaw}" (${p.product}) is not a version range we can evaluate: findings will be "review"`,
      )
    }
  }
  const cves = [...new Set(vulnerabilities.map((v) => v.cve).filter((c): c is string => c !== null))]
  return {
    ok: true,
    notes,
    advisory: {
      id: csaf.document.tracking.id,
      source: 'csaf',
      revision: csaf.document.tracking.version,
      title: csaf.document.title,
      aliases: [],
      cves,
      withdrawn: false,
      severity: worst?.severity ?? null,
      score: worst?.score ?? null,
      packages: [],
      products,
      vulnerabilities,
      origin,
    },
  }
}

export { SEVERITY_ORDER }
