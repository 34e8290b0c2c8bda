/**
 * The normalised advisory model. Every source (OSV, CSAF, KEV, EPSS) is reduced to these shapes once,
 * at import; matching, the index and the scanner only ever see them.
 */
import type { Severity, VersionScheme } from '@vigil/protocol'
import type { ExploitHint } from './exploit-hints.js'
import type { FreeTextReading } from './free-text-range.js'
import type { ProductName } from './product-names.js'
import type { VersionRange } from './ranges.js'

export type Confidence = 'exact' | 'range' | 'review'

/**
 * How a device was matched to a product entry (issue 17): `exact` = the name as written, a model
 * number, SKU, CPE or purl, and a readable version; `alias` = a derived name (one model of a list, the
 * vendor prefix added or dropped, an abbreviation) and a readable version; `review` = a version in
 * prose or a name the device only shares in part: a person confirms.
 */
export type MatchTier = 'exact' | 'alias' | 'review'

/** One OSV range, its events already split out (`introduced` "0" = from the beginning). */
export interface OsvEvents {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT'
  events: ({ introduced: string } | { fixed: string } | { last_affected: string } | { limit: string })[]
}

/** A package named by an OSV record: what a package inventory is matched against. */
export interface PackageAffect {
  /** OSV ecosystem without its release suffix: `Debian`, `Alpine`, `npm`, `PyPI`… */
  ecosystem: string
  /** package-url type the installed package carries (`deb`, `apk`, `npm`, `pypi`, `golang`…). */
  purlType: string
  /** Distro release from the ecosystem suffix (`Debian:12` → `12`, `Alpine:v3.20` → `3.20`), else null. */
  release: string | null
  /** Package name as the ecosystem spells it; for Debian/Ubuntu/Alpine the SOURCE package. */
  name: string
  scheme: VersionScheme
  /** True when the scheme is the ecosystem's own ordering; false when we fell back to `generic`. */
  schemeExact: boolean
  ranges: OsvEvents[]
  versions: string[]
  /** The range as written, for the finding (`>=0 <2.9.4+dfsg1-2.2+deb9u7`). */
  affected: string
  fixed: string | null
}

/** One leaf of a CSAF product tree, normalised. */
export interface ProductAffect {
  productId: string
  vendor: string
  vendorKey: string
  product: string
  productKey: string
  /** Version expression exactly as written in the advisory (`<= 9.33`, `vers:all/*`…). */
  versionRaw: string
  /** `product_version` = one version; `product_version_range` = a range; `none` = no version given. */
  versionKind: 'version' | 'range' | 'none'
  range: VersionRange | null
  /** Why `range` is null although a version expression was given: the finding becomes `review`. */
  unparseable: string | null
  /** Names the entry is known by (`product-names.ts`); absent on advisories stored before issue 17. */
  names?: ProductName[]
  /** Identifiers from `product_identification_helper` a device can report itself. */
  ids?: ProductIds
  /** When `range` is null: the prose version read as a range (findings stay `review`). */
  freeText?: FreeTextReading | null
}

export interface ProductIds {
  /** CPE as written (2.2 URI or 2.3 formatted string). */
  cpe: string | null
  purl: string | null
  serials: string[]
}

/** One CSAF vulnerability entry reduced to what matching needs. */
export interface CsafVulnerability {
  cve: string | null
  ids: string[]
  severity: Severity | null
  score: number | null
  knownAffected: string[]
  fixed: string[]
  knownNotAffected: string[]
  /** Fixed version per product id: from `product_status.fixed` product versions or unambiguous prose. */
  fixedVersion: Record<string, string>
  /** CVSS vectors of this vulnerability (SSVC Automatable). Absent in advisories stored before issue 17. */
  vectors?: string[]
  /** What the advisory says about exploitation of this vulnerability (SSVC Exploitation). */
  exploit?: ExploitHint | null
}

export interface Advisory {
  id: string
  source: 'osv' | 'csaf'
  /** Revision key: OSV `modified`; CSAF `tracking.version` (compared with the `generic` scheme). */
  revision: string
  title: string
  aliases: string[]
  cves: string[]
  withdrawn: boolean
  severity: Severity | null
  score: number | null
  packages: PackageAffect[]
  products: ProductAffect[]
  vulnerabilities: CsafVulnerability[]
  /** Where it came from (file path or `api`). */
  origin: string
  /** CVSS vectors (SSVC Automatable; for CSAF see each vulnerability). Absent before issue 17. */
  vectors?: string[]
  /** What the advisory says about exploitation (SSVC Exploitation). */
  exploit?: ExploitHint | null
}

export interface KevEntry {
  cveID: string
  dueDate: string
  dateAdded: string
  vendorProject: string
  product: string
  knownRansomwareCampaignUse: string
}

export interface Finding {
  advisory: string
  cve: string | null
  component: { name: string; version: string; purl: string | null }
  affected: string
  fixed: string | null
  severity: Severity | null
  kev: boolean
  kevDueDate?: string
  epss?: number
  confidence: Confidence
  why: {
    source: 'osv' | 'csaf'
    entry: string
    installed: string
    reason: string
    /** CSAF device matches: the tier and how the product was identified. */
    tier?: MatchTier
    identified?: string
  }
}

/** What an import refused or noted, per file. */
export interface ImportIssue {
  file: string
  reason: string
}
