/**
 * OSV records → `Advisory`. Validated against the real OSV schema, then the checks osv-linter makes
 * that the schema cannot (every range has an `introduced`, range events are distinct). Debian/Ubuntu/
 * Alpine records name SOURCE packages; the distro release is the ecosystem suffix.
 */
import { severityFromScores } from '../cvss.js'
import { ecosystemInfo, matchName } from '../ecosystems.js'
import { osvExploitHint } from '../exploit-hints.js'
import type { Advisory, OsvEvents, PackageAffect } from '../types.js'
import { osvValidator } from './schemas.js'

export type OsvParse = { ok: true; advisory: Advisory; notes: string[] } | { ok: false; reason: string }

interface RawEvent {
  introduced?: string
  fixed?: string
  last_affected?: string
  limit?: string
}
interface RawRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT'
  events: RawEvent[]
}
interface RawAffected {
  package?: { ecosystem: string; name: string; purl?: string }
  ranges?: RawRange[]
  versions?: string[]
  severity?: { type: string; score: string }[]
}
interface RawOsv {
  id: string
  modified: string
  withdrawn?: string
  summary?: string
  details?: string
  aliases?: string[]
  upstream?: string[]
  severity?: { type: string; score: string }[]
  affected?: RawAffected[]
  database_specific?: { severity?: unknown }
  references?: { type?: string; url?: string }[]
}

const CVE = /^CVE-\d{4}-\d{4,}$/
const DB_SEVERITY: Record<string, 'low' | 'medium' | 'high' | 'critical'> = {
  LOW: 'low',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
}

/** True when a decoded document looks like an OSV record (the importer's dispatch). */
export function isOsvRecord(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'id' in doc && 'modified' in doc
}

function eventValue(e: RawEvent): string {
  return e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? ''
}

/** osv-linter rules beyond the schema; answers the first violation. */
function lint(rec: RawOsv): string | null {
  for (const [i, a] of (rec.affected ?? []).entries()) {
    for (const [j, r] of (a.ranges ?? []).entries()) {
      if (!r.events.some((e) => e.introduced !== undefined)) {
        return `affected[${i}].ranges[${j}] has no "introduced" event`
      }
      const seen = new Set<string>()
      // Chainguard writes `introduced: "0", fixed: "0"` for "never affected": the sentinel is allowed.
      const neverAffected = r.events.length === 2 && r.events.every((e) => eventValue(e) === '0')
      for (const e of neverAffected ? [] : r.events) {
        const v = eventValue(e)
        if (seen.has(v)) return `affected[${i}].ranges[${j}] events are not distinct ("${v}" repeated)`
        seen.add(v)
      }
    }
  }
  return null
}

function toEvents(r: RawRange): OsvEvents {
  const events: OsvEvents['events'] = []
  for (const e of r.events) {
    if (e.introduced !== undefined) events.push({ introduced: e.introduced })
    else if (e.fixed !== undefined) events.push({ fixed: e.fixed })
    else if (e.last_affected !== undefined) events.push({ last_affected: e.last_affected })
    else if (e.limit !== undefined) events.push({ limit: e.limit })
  }
  return { type: r.type, events }
}

/** The range as a `vers:` string (`vers:deb/<2.9.4-1`), the form a finding shows. */
export function describeRanges(purlType: string, ranges: OsvEvents[], versions: string[]): string {
  const parts: string[] = []
  for (const r of ranges) {
    if (r.type === 'GIT') continue
    for (const e of r.events) {
      if ('introduced' in e) {
        if (e.introduced !== '0') parts.push(`>=${e.introduced}`)
      } else if ('fixed' in e) parts.push(`<${e.fixed}`)
      else if ('last_affected' in e) parts.push(`<=${e.last_affected}`)
    }
  }
  if (parts.length > 0) return `vers:${purlType}/${parts.join('|')}`
  if (ranges.some((r) => r.type !== 'GIT' && r.events.some((e) => 'introduced' in e))) {
    return `vers:${purlType}/*`
  }
  if (versions.length > 0) return `vers:${purlType}/${versions.slice(0, 20).join('|')}`
  return 'GIT range (commits only)'
}

function firstFixed(ranges: OsvEvents[]): string | null {
  for (const r of ranges) {
    if (r.type === 'GIT') continue
    for (const e of r.events) if ('fixed' in e) return e.fixed
  }
  return null
}

export function normalizeOsv(doc: unknown, origin: string): OsvParse {
  const validator = osvValidator()
  if (!validator.check(doc)) {
    return { ok: false, reason: `OSV schema: ${validator.errors(doc, 3).join('; ')}` }
  }
  const rec = doc as RawOsv
  const problem = lint(rec)
  if (problem !== null) return { ok: false, reason: `OSV: ${problem}` }
  const notes: string[] = []
  const packages: PackageAffect[] = []
  const vectors: { vector: string }[] = (rec.severity ?? []).map((s) => ({ vector: s.score }))
  for (const a of rec.affected ?? []) {
    for (const s of a.severity ?? []) vectors.push({ vector: s.score })
    if (a.package === undefined) {
      notes.push(`${rec.id}: an affected entry names no package (GIT-only); not matchable`)
      continue
    }
    const info = ecosystemInfo(a.package.ecosystem)
    if (info === null) {
      notes.push(`${rec.id}: unknown ecosystem "${a.package.ecosystem}" (package ${a.package.name})`)
      continue
    }
    const ranges = (a.ranges ?? []).map(toEvents)
    const versions = a.versions ?? []
    packages.push({
      ecosystem: info.ecosystem,
      purlType: info.purlType,
      release: info.release,
      name: matchName(a.package.name, info.foldName),
      scheme: info.scheme,
      schemeExact: info.schemeExact,
      ranges,
      versions,
      affected: describeRanges(info.purlType, ranges, versions),
      fixed: firstFixed(ranges),
    })
  }
  const ids = [rec.id, ...(rec.aliases ?? []), ...(rec.upstream ?? [])]
  const cves = [...new Set(ids.filter((x) => CVE.test(x)))]
  const computed = severityFromScores(vectors)
  const dbSeverity =
    typeof rec.database_specific?.severity === 'string'
      ? DB_SEVERITY[rec.database_specific.severity.toUpperCase()]
      : undefined
  return {
    ok: true,
    notes,
    advisory: {
      id: rec.id,
      source: 'osv',
      revision: rec.modified,
      title: rec.summary ?? rec.details?.slice(0, 200) ?? rec.id,
      aliases: [...new Set([...(rec.aliases ?? []), ...(rec.upstream ?? [])])],
      cves,
      withdrawn: rec.withdrawn !== undefined,
      severity: computed?.severity ?? dbSeverity ?? null,
      score: computed?.score ?? null,
      packages,
      products: [],
      vulnerabilities: [],
      origin,
      vectors: vectors.map((v) => v.vector),
      exploit: osvExploitHint(rec.references),
    },
  }
}
