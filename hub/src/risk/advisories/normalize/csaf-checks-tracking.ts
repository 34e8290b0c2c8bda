/**
 * CSAF 2.0 mandatory tests on document tracking (revision history, status, version) and the
 * profile tests (§6.1.14–6.1.33, 6.1.27.x). Used by `csaf-checks.ts`.
 */
import { tryCompare } from '../versions.js'
import type { CsafTest, Doc } from './csaf-checks.js'
import { compareTimestamps } from './csaf-timestamp.js'

// biome-ignore lint/suspicious/noExplicitAny: generic JSON access after schema validation
type Json = any

const INT = /^(0|[1-9][0-9]*)$/
const isInt = (v: string) => INT.test(v)
const stripBuild = (v: string) => v.split('+')[0] ?? v
const preRelease = (v: string) => !isInt(v) && stripBuild(v).includes('-')
const isZero = (v: string) => v === '0' || /^0\.\d+\.\d+/.test(v)

function cmpVersion(a: string, b: string): number {
  if (isInt(a) && isInt(b)) return Math.sign(Number(a) - Number(b))
  return tryCompare('semver', stripBuild(a), stripBuild(b)) ?? 0
}

function history(doc: Doc): { date: string; number: string }[] {
  // By date at full precision (not Date.parse's milliseconds), ties by number (CSAF 2.1 §6.1.14).
  return [...(doc.document.tracking.revision_history ?? [])].sort(
    (x: Json, y: Json) => compareTimestamps(x.date, y.date) || cmpVersion(x.number, y.number),
  )
}

const released = (doc: Doc) => ['final', 'interim'].includes(doc.document.tracking.status)
const category = (doc: Doc): string => doc.document.category
const vulns = (doc: Doc): Json[] => doc.vulnerabilities ?? []

const OFFICIAL = [
  'csaf_base',
  'csaf_security_incident_response',
  'csaf_informational_advisory',
  'csaf_security_advisory',
  'csaf_vex',
]
const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')
const PROHIBITED = new Set(OFFICIAL.flatMap((c) => [squash(c), squash(c.slice(5))]))

/** Product ids of a list of ids plus the members of a list of group ids. */
function expand(doc: Doc, o: Json): string[] {
  const groups = new Map<string, string[]>(
    (doc.product_tree?.product_groups ?? []).map((g: Json) => [g.group_id, g.product_ids]),
  )
  return [...(o.product_ids ?? []), ...(o.group_ids ?? []).flatMap((g: string) => groups.get(g) ?? [])]
}

function eachVuln(doc: Doc, fn: (v: Json, i: number) => string | null): string | null {
  for (const [i, v] of vulns(doc).entries()) {
    const r = fn(v, i)
    if (r !== null) return `vulnerabilities/${i}: ${r}`
  }
  return null
}

const only = (cats: string[], fn: (doc: Doc) => string | null) => (doc: Doc) =>
  cats.includes(category(doc)) ? fn(doc) : null

export const PROFILE_AND_TRACKING_TESTS: CsafTest[] = [
  {
    id: '6.1.14',
    name: 'Sorted Revision History',
    run(doc) {
      const h = history(doc)
      for (let i = 1; i < h.length; i++) {
        const [a, b] = [h[i - 1], h[i]]
        if (a && b && cmpVersion(a.number, b.number) > 0) return `${a.number} dated before ${b.number}`
      }
      return null
    },
  },
  {
    id: '6.1.15',
    name: 'Translator',
    run: (doc) =>
      doc.document.publisher?.category === 'translator' && doc.document.source_lang === undefined
        ? 'translator without source_lang'
        : null,
  },
  {
    id: '6.1.16',
    name: 'Latest Document Version',
    run(doc) {
      const h = history(doc)
      const last = h[h.length - 1]
      const version = doc.document.tracking.version
      if (last === undefined || doc.document.tracking.status === 'draft') return null
      return stripBuild(last.number) === stripBuild(version)
        ? null
        : `version ${version} but latest revision ${last.number}`
    },
  },
  {
    id: '6.1.17',
    name: 'Document Status Draft',
    run(doc) {
      const v = doc.document.tracking.version
      return (isZero(v) || preRelease(v)) && doc.document.tracking.status !== 'draft'
        ? `version ${v} is not draft`
        : null
    },
  },
  {
    id: '6.1.18',
    name: 'Released Revision History',
    run: (doc) =>
      released(doc) && history(doc).some((r) => isZero(r.number))
        ? 'released document lists a version 0'
        : null,
  },
  {
    id: '6.1.19',
    name: 'Revision History Entries for Pre-release Versions',
    run: (doc) => (history(doc).some((r) => preRelease(r.number)) ? 'pre-release in revision history' : null),
  },
  {
    id: '6.1.20',
    name: 'Non-draft Document Version',
    run: (doc) =>
      released(doc) && preRelease(doc.document.tracking.version)
        ? 'released document with a pre-release version'
        : null,
  },
  {
    id: '6.1.21',
    name: 'Missing Item in Revision History',
    run(doc) {
      const majors = history(doc)
        .map((r) => Number((isInt(r.number) ? r.number : r.number.split('.')[0]) ?? Number.NaN))
        .sort((a, b) => a - b)
      if (majors.length === 0) return null
      if ((majors[0] ?? 0) > 1) return `revision history starts at ${majors[0]}`
      for (let i = 1; i < majors.length; i++) {
        const [a, b] = [majors[i - 1] ?? 0, majors[i] ?? 0]
        if (b - a > 1) return `revision ${a + 1} missing`
      }
      return null
    },
  },
  {
    id: '6.1.22',
    name: 'Multiple Definition in Revision History',
    run(doc) {
      const n = history(doc).map((r) => r.number)
      return new Set(n).size === n.length ? null : 'a revision number appears twice'
    },
  },
  {
    id: '6.1.23',
    name: 'Multiple Use of Same CVE',
    run(doc) {
      const c = vulns(doc)
        .map((v) => v.cve)
        .filter(Boolean)
      return new Set(c).size === c.length ? null : 'a CVE is used by two vulnerabilities'
    },
  },
  {
    id: '6.1.24',
    name: 'Multiple Definition in Involvements',
    run: (doc) =>
      eachVuln(doc, (v) => {
        const k = (v.involvements ?? []).map((x: Json) => `${x.party}|${x.date}`)
        return new Set(k).size === k.length ? null : 'same party and date twice'
      }),
  },
  {
    id: '6.1.25',
    name: 'Multiple Use of Same Hash Algorithm',
    run(doc) {
      const stack: Json[] = [doc.product_tree ?? {}]
      while (stack.length > 0) {
        const o = stack.pop()
        if (Array.isArray(o)) stack.push(...o)
        else if (o !== null && typeof o === 'object') {
          if (Array.isArray(o.file_hashes)) {
            const a = o.file_hashes.map((h: Json) => h.algorithm)
            if (new Set(a).size !== a.length) return 'an algorithm appears twice in file_hashes'
          }
          stack.push(...Object.values(o))
        }
      }
      return null
    },
  },
  {
    id: '6.1.26',
    name: 'Prohibited Document Category Name',
    run(doc) {
      const c = category(doc)
      if (OFFICIAL.includes(c)) return null
      if (c.toLowerCase().startsWith('csaf_') || PROHIBITED.has(squash(c)))
        return `category "${c}" imitates a profile`
      return null
    },
  },
  {
    id: '6.1.27.1',
    name: 'Document Notes',
    run: only(['csaf_informational_advisory', 'csaf_security_incident_response'], (doc) =>
      (doc.document.notes ?? []).some((n: Json) =>
        ['description', 'details', 'general', 'summary'].includes(n.category),
      )
        ? null
        : 'no description/details/general/summary note',
    ),
  },
  {
    id: '6.1.27.2',
    name: 'Document References',
    run: only(['csaf_informational_advisory', 'csaf_security_incident_response'], (doc) =>
      (doc.document.references ?? []).some((r: Json) => r.category === 'external')
        ? null
        : 'no external reference',
    ),
  },
  {
    id: '6.1.27.3',
    name: 'Vulnerabilities (informational)',
    run: only(['csaf_informational_advisory'], (doc) =>
      doc.vulnerabilities ? 'must not list vulnerabilities' : null,
    ),
  },
  {
    id: '6.1.27.4',
    name: 'Product Tree',
    run: only(['csaf_security_advisory', 'csaf_vex'], (doc) => (doc.product_tree ? null : 'no product_tree')),
  },
  {
    id: '6.1.27.5',
    name: 'Vulnerability Notes',
    run: only(['csaf_security_advisory', 'csaf_vex'], (doc) =>
      eachVuln(doc, (v) => (v.notes ? null : 'no notes')),
    ),
  },
  {
    id: '6.1.27.6',
    name: 'Product Status',
    run: only(['csaf_security_advisory'], (doc) =>
      eachVuln(doc, (v) => (v.product_status ? null : 'no product_status')),
    ),
  },
  {
    id: '6.1.27.7',
    name: 'VEX Product Status',
    run: only(['csaf_vex'], (doc) =>
      eachVuln(doc, (v) =>
        ['fixed', 'known_affected', 'known_not_affected', 'under_investigation'].some(
          (k) => v.product_status?.[k],
        )
          ? null
          : 'no VEX status',
      ),
    ),
  },
  {
    id: '6.1.27.8',
    name: 'Vulnerability ID',
    run: only(['csaf_vex'], (doc) => eachVuln(doc, (v) => (v.cve || v.ids ? null : 'neither cve nor ids'))),
  },
  {
    id: '6.1.27.9',
    name: 'Impact Statement',
    run: only(['csaf_vex'], (doc) =>
      eachVuln(doc, (v) => {
        const covered = new Set<string>([
          ...(v.flags ?? []).flatMap((f: Json) => expand(doc, f)),
          ...(v.threats ?? [])
            .filter((t: Json) => t.category === 'impact')
            .flatMap((t: Json) => expand(doc, t)),
        ])
        const missing = (v.product_status?.known_not_affected ?? []).find((p: string) => !covered.has(p))
        return missing === undefined ? null : `${missing} not affected without impact statement`
      }),
    ),
  },
  {
    id: '6.1.27.10',
    name: 'Action Statement',
    run: only(['csaf_vex'], (doc) =>
      eachVuln(doc, (v) => {
        const covered = new Set<string>((v.remediations ?? []).flatMap((r: Json) => expand(doc, r)))
        const missing = (v.product_status?.known_affected ?? []).find((p: string) => !covered.has(p))
        return missing === undefined ? null : `${missing} affected without action statement`
      }),
    ),
  },
  {
    id: '6.1.27.11',
    name: 'Vulnerabilities',
    run: only(['csaf_security_advisory', 'csaf_vex'], (doc) =>
      doc.vulnerabilities ? null : 'no vulnerabilities',
    ),
  },
  {
    id: '6.1.28',
    name: 'Translation',
    run: (doc) =>
      doc.document.lang !== undefined && doc.document.lang === doc.document.source_lang
        ? 'lang equals source_lang'
        : null,
  },
  {
    id: '6.1.29',
    name: 'Remediation without Product Reference',
    run: (doc) =>
      eachVuln(doc, (v) =>
        (v.remediations ?? []).some((r: Json) => !r.product_ids && !r.group_ids)
          ? 'remediation names no product'
          : null,
      ),
  },
  {
    id: '6.1.30',
    name: 'Mixed Integer and Semantic Versioning',
    run(doc) {
      const all = [doc.document.tracking.version, ...history(doc).map((r) => r.number)]
      const ints = all.filter(isInt).length
      return ints === 0 || ints === all.length ? null : 'integer and semantic versions mixed'
    },
  },
  {
    id: '6.1.32',
    name: 'Flag without Product Reference',
    run: (doc) =>
      eachVuln(doc, (v) =>
        (v.flags ?? []).some((f: Json) => !f.product_ids && !f.group_ids) ? 'flag names no product' : null,
      ),
  },
  {
    id: '6.1.33',
    name: 'Multiple Flags with VEX Justification Codes per Product',
    run: (doc) =>
      eachVuln(doc, (v) => {
        const ids = (v.flags ?? []).flatMap((f: Json) => [...new Set(expand(doc, f))])
        return new Set(ids).size === ids.length ? null : 'a product carries two flags'
      }),
  },
]
