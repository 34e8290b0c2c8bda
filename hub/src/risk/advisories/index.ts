/** Public surface of the advisories feature, for the hub's ingest hook, API plugin and CLI dispatch. */
export {
  AdvisoryIndex,
  keysForDevice,
  keysForPackage,
  packageKey,
  productIndexKey,
} from './advisory-index.js'
export { scanCommand } from './cli.js'
export { correlate, type Enrichment, NO_ENRICHMENT } from './correlate.js'
export { cvss2BaseScore, cvss3BaseScore, cvss4Score, severityBand, severityFromScores } from './cvss.js'
export {
  type AdvisorySink,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_FILE_BYTES,
  type ImportOptions,
  type ImportSummary,
  type ImportText,
  importAdvisories,
  importTexts,
} from './import.js'
export { findingsJson, findingsTable, importSummaryText } from './report.js'
export { parseSbom } from './sbom.js'
export {
  deviceFromIdentity,
  type MatchDevice,
  type MatchPackage,
  type MatchTarget,
  targetFromInventory,
} from './target.js'
export { TargetIndex } from './target-index.js'
export type {
  Advisory,
  Confidence,
  Finding,
  ImportIssue,
  KevEntry,
  PackageAffect,
  ProductAffect,
} from './types.js'
export { createVendorMatcher, DEFAULT_VENDOR_ALIASES, type VendorMatcher } from './vendor.js'
