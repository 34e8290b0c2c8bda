/**
 * CSAF 2.0 mandatory tests (§6.1) that a schema cannot express. Each test is a named pure function
 * answering a problem or null; `mandatoryChecks` answers the first failure as "<id> <name>: <detail>".
 * 6.1.11 checks CWE names against the bundled CWE catalogue (`../cwe/`); an id the catalogue does not
 * know (a newer CWE, or a category) is not a failure: `unknownCwes` lists it so the import can say so.
 * Not implemented: the registry half of 6.1.12 (only the ISO 639 primary subtag is checked).
 */
import { cvss2BaseScore, cvss3BaseScore, severityBand } from '../cvss.js'
import { CWE, checkCwe } from '../cwe/catalogue.js'
import { PROFILE_AND_TRACKING_TESTS } from './csaf-checks-tracking.js'

// biome-ignore lint/suspicious/noExplicitAny: CSAF documents are walked generically after schema validation
export type Doc = Record<string, any>
export type CsafTest = { id: string; name: string; run(doc: Doc): string | null }

// biome-ignore lint/suspicious/noExplicitAny: generic JSON walk
type Json = any

/** Every object in the document with the JSON pointer-ish path it sits at. */
function* walk(node: Json, path = ''): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* walk(v, `${path}/${i}`)
  } else if (node !== null && typeof node === 'object') {
    yield [path, node]
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${path}/${k}`)
  }
}

function definedProductIds(doc: Doc): string[] {
  const ids: string[] = []
  for (const [path, o] of walk(doc.product_tree ?? {}, '/product_tree')) {
    if (
      (path.endsWith('/product') ||
        /\/full_product_names\/\d+$/.test(path) ||
        path.endsWith('/full_product_name')) &&
      typeof o.product_id === 'string'
    ) {
      ids.push(o.product_id)
    }
  }
  return ids
}

function referencedProductIds(doc: Doc): string[] {
  const out: string[] = []
  for (const [, o] of walk(doc)) {
    for (const k of ['product_ids', 'products']) if (Array.isArray(o[k])) out.push(...o[k])
    for (const k of ['product_reference', 'relates_to_product_reference'])
      if (typeof o[k] === 'string') out.push(o[k])
    if (o.product_status && typeof o.product_status === 'object') {
      for (const v of Object.values(o.product_status)) if (Array.isArray(v)) out.push(...(v as string[]))
    }
  }
  return out
}

function duplicate(values: string[]): string | undefined {
  const seen = new Set<string>()
  for (const v of values) {
    if (seen.has(v)) return v
    seen.add(v)
  }
  return undefined
}

const STATUS_GROUPS: Record<string, string> = {
  first_affected: 'affected',
  known_affected: 'affected',
  last_affected: 'affected',
  known_not_affected: 'not_affected',
  first_fixed: 'fixed',
  fixed: 'fixed',
  under_investigation: 'under_investigation',
}

const V3_NAMES: Record<string, [string, Record<string, string>]> = {
  attackVector: ['AV', { NETWORK: 'N', ADJACENT_NETWORK: 'A', LOCAL: 'L', PHYSICAL: 'P' }],
  attackComplexity: ['AC', { LOW: 'L', HIGH: 'H' }],
  privilegesRequired: ['PR', { NONE: 'N', LOW: 'L', HIGH: 'H' }],
  userInteraction: ['UI', { NONE: 'N', REQUIRED: 'R' }],
  scope: ['S', { UNCHANGED: 'U', CHANGED: 'C' }],
  confidentialityImpact: ['C', { NONE: 'N', LOW: 'L', HIGH: 'H' }],
  integrityImpact: ['I', { NONE: 'N', LOW: 'L', HIGH: 'H' }],
  availabilityImpact: ['A', { NONE: 'N', LOW: 'L', HIGH: 'H' }],
}

const ISO639_1 =
  'aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'.split(
    ' ',
  )

function validLang(tag: string): boolean {
  const primary = tag.split('-')[0]?.toLowerCase() ?? ''
  if (primary.length === 2) return ISO639_1.includes(primary)
  return /^[a-z]{3}$|^i$|^x$/.test(primary)
}

const PURL = /^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*\/(?:[^/@?#]+\/)*[^/@?#]+(?:@[^?#]+)?(?:\?[^#]*)?(?:#.*)?$/
const RANGE_WORDS = /[<>]|(?:^|\s)(?:after|all|before|earlier|later|prior|versions)(?:\s|$)/i

export const PRODUCT_TESTS: CsafTest[] = [
  {
    id: '6.1.1',
    name: 'Missing Definition of Product ID',
    run(doc) {
      const defined = new Set(definedProductIds(doc))
      const missing = referencedProductIds(doc).find((id) => !defined.has(id))
      return missing === undefined ? null : `${missing} is referenced but not defined`
    },
  },
  {
    id: '6.1.2',
    name: 'Multiple Definition of Product ID',
    run: (doc) => {
      const d = duplicate(definedProductIds(doc))
      return d === undefined ? null : `${d} defined more than once`
    },
  },
  {
    id: '6.1.3',
    name: 'Circular Definition of Product ID',
    run(doc) {
      for (const r of doc.product_tree?.relationships ?? []) {
        const id = r.full_product_name.product_id
        if (id === r.product_reference || id === r.relates_to_product_reference)
          return `${id} refers to itself`
      }
      return null
    },
  },
  {
    id: '6.1.4',
    name: 'Missing Definition of Product Group ID',
    run(doc) {
      const defined = new Set<string>((doc.product_tree?.product_groups ?? []).map((g: Json) => g.group_id))
      for (const [, o] of walk(doc)) {
        for (const g of Array.isArray(o.group_ids) ? o.group_ids : [])
          if (!defined.has(g)) return `${g} not defined`
      }
      return null
    },
  },
  {
    id: '6.1.5',
    name: 'Multiple Definition of Product Group ID',
    run: (doc) => {
      const d = duplicate((doc.product_tree?.product_groups ?? []).map((g: Json) => g.group_id))
      return d === undefined ? null : `${d} defined more than once`
    },
  },
  {
    id: '6.1.6',
    name: 'Contradicting Product Status',
    run(doc) {
      for (const [i, v] of (doc.vulnerabilities ?? []).entries()) {
        const group = new Map<string, string>()
        for (const [status, ids] of Object.entries(v.product_status ?? {})) {
          const g = STATUS_GROUPS[status]
          if (g === undefined) continue
          for (const id of ids as string[]) {
            const prev = group.get(id)
            if (prev !== undefined && prev !== g)
              return `vulnerabilities/${i}: ${id} is both ${prev} and ${g}`
            group.set(id, g)
          }
        }
      }
      return null
    },
  },
  {
    id: '6.1.7',
    name: 'Multiple Scores with same Version per Product',
    run(doc) {
      for (const v of doc.vulnerabilities ?? []) {
        const seen = new Set<string>()
        for (const s of v.scores ?? []) {
          for (const kind of ['cvss_v2', 'cvss_v3']) {
            if (s[kind] === undefined) continue
            for (const p of s.products) {
              const key = `${p}|${s[kind].version}`
              if (seen.has(key)) return `${p} has two CVSS ${s[kind].version} scores`
              seen.add(key)
            }
          }
        }
      }
      return null
    },
  },
  {
    id: '6.1.9',
    name: 'Invalid CVSS computation',
    run(doc) {
      for (const v of doc.vulnerabilities ?? []) {
        for (const s of v.scores ?? []) {
          const v2 = s.cvss_v2
          if (v2 !== undefined) {
            let s2: number
            try {
              s2 = cvss2BaseScore(v2.vectorString)
            } catch (e) {
              return (e as Error).message
            }
            if (s2 !== v2.baseScore) return `CVSS v2 baseScore ${v2.baseScore} but the vector computes ${s2}`
          }
          const c = s.cvss_v3
          if (c === undefined) continue
          let score: number
          try {
            score = cvss3BaseScore(c.vectorString)
          } catch (e) {
            return (e as Error).message
          }
          if (score !== c.baseScore) return `baseScore ${c.baseScore} but the vector computes ${score}`
          if (c.baseSeverity !== severityBand(score).toUpperCase())
            return `baseSeverity ${c.baseSeverity} for ${score}`
        }
      }
      return null
    },
  },
  {
    id: '6.1.10',
    name: 'Inconsistent CVSS',
    run(doc) {
      for (const v of doc.vulnerabilities ?? []) {
        for (const s of v.scores ?? []) {
          const c = s.cvss_v3
          if (c === undefined) continue
          const metrics = new Map(
            String(c.vectorString)
              .split('/')
              .slice(1)
              .map((p) => p.split(':') as [string, string]),
          )
          for (const [prop, [metric, values]] of Object.entries(V3_NAMES)) {
            if (c[prop] !== undefined && values[c[prop]] !== metrics.get(metric)) {
              return `${prop} ${c[prop]} disagrees with the vector (${metric}:${metrics.get(metric)})`
            }
          }
        }
      }
      return null
    },
  },
  {
    id: '6.1.11',
    name: 'CWE',
    run(doc) {
      for (const [i, v] of (doc.vulnerabilities ?? []).entries()) {
        const { id, name } = v.cwe ?? {}
        if (typeof id !== 'string' || typeof name !== 'string') continue
        const verdict = checkCwe(id, name)
        if (!verdict.ok && !verdict.unknownId) {
          return `vulnerabilities/${i}: ${id} is named "${verdict.expected}" in CWE ${CWE.latest.version}, not "${name}"`
        }
      }
      return null
    },
  },
  {
    id: '6.1.12',
    name: 'Language',
    run(doc) {
      for (const k of ['lang', 'source_lang']) {
        const tag = doc.document[k]
        if (typeof tag === 'string' && !validLang(tag)) return `${k} "${tag}" is not a language`
      }
      return null
    },
  },
  {
    id: '6.1.13',
    name: 'purl',
    run(doc) {
      for (const [, o] of walk(doc.product_tree ?? {})) {
        if (typeof o.purl === 'string' && !PURL.test(o.purl)) return `invalid purl ${o.purl}`
      }
      return null
    },
  },
  {
    id: '6.1.31',
    name: 'Version Range in Product Version',
    run(doc) {
      for (const [, o] of walk(doc.product_tree ?? {})) {
        // CISA writes `vers:all/*` as a product_version in ~1 of 6 real advisories: accepted (read as a range).
        const name = String(o.name)
        if (o.category === 'product_version' && !name.startsWith('vers:') && RANGE_WORDS.test(name)) {
          return `product_version "${o.name}" is a range`
        }
      }
      return null
    },
  },
]

const ALL: CsafTest[] = [...PRODUCT_TESTS, ...PROFILE_AND_TRACKING_TESTS]

/** The first failed mandatory test as "<id> <name>: <detail>", or null. */
/** CWE ids of the document's vulnerabilities that the bundled catalogue does not know. */
export function unknownCwes(doc: unknown): string[] {
  const out = new Set<string>()
  for (const v of (doc as Doc).vulnerabilities ?? []) {
    const { id, name } = v?.cwe ?? {}
    if (typeof id !== 'string' || typeof name !== 'string') continue
    const verdict = checkCwe(id, name)
    if (!verdict.ok && verdict.unknownId) out.add(id)
  }
  return [...out]
}

export function mandatoryChecks(doc: unknown): string | null {
  for (const t of ALL) {
    const problem = t.run(doc as Doc)
    if (problem !== null) return `${t.id} (${t.name}): ${problem}`
  }
  return null
}
