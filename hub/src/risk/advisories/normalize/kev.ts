/**
 * CISA Known Exploited Vulnerabilities catalog: a flag and the BOD 22-01 due date, joined on `cveID`
 * only (vendor/product names in the catalog are not matched against anything).
 */
import { compile, Type } from '@vigil/protocol'
import type { KevEntry } from '../types.js'

const KevVulnerability = Type.Object({
  cveID: Type.String({ pattern: '^CVE-[0-9]{4}-[0-9]{4,}$' }),
  vendorProject: Type.String(),
  product: Type.String(),
  dateAdded: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
  dueDate: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
  knownRansomwareCampaignUse: Type.Optional(Type.String()),
})

const KevCatalog = Type.Object({
  title: Type.String(),
  catalogVersion: Type.String(),
  dateReleased: Type.String(),
  count: Type.Integer({ minimum: 0 }),
  vulnerabilities: Type.Array(KevVulnerability),
})

const validator = compile(KevCatalog)

/** True when a decoded JSON document looks like the KEV catalog (so the importer dispatches here). */
export function isKevCatalog(doc: unknown): boolean {
  return (
    typeof doc === 'object' &&
    doc !== null &&
    'catalogVersion' in doc &&
    'vulnerabilities' in doc &&
    Array.isArray((doc as { vulnerabilities: unknown }).vulnerabilities)
  )
}

export type KevParse =
  | { ok: true; version: string; entries: Map<string, KevEntry> }
  | { ok: false; reason: string }

export function normalizeKev(doc: unknown): KevParse {
  const r = validator.validate(doc)
  if (!r.ok) return { ok: false, reason: `not a valid KEV catalog: ${r.message}` }
  const entries = new Map<string, KevEntry>()
  for (const v of r.value.vulnerabilities) {
    entries.set(v.cveID, {
      cveID: v.cveID,
      dueDate: v.dueDate,
      dateAdded: v.dateAdded,
      vendorProject: v.vendorProject,
      product: v.product,
      knownRansomwareCampaignUse: v.knownRansomwareCampaignUse ?? 'Unknown',
    })
  }
  return { ok: true, version: r.value.catalogVersion, entries }
}
