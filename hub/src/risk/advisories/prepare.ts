/**
 * The part of importing a JSON document that needs nothing but the text: parsing (guarded), and for
 * an OSV record its schema check and normalisation. Pure, so it runs in the parse worker
 * (`parse-pool.ts`) as well as in the hub's thread; everything else (CSAF, which needs the hub's
 * vendor aliases, KEV, arrays) is left to the importer (`main`).
 */
import { isJsonSchema, parseGuardedJson } from './json-guard.js'
import { isCsafDocument } from './normalize/csaf.js'
import { isKevCatalog } from './normalize/kev.js'
import { isOsvRecord, normalizeOsv } from './normalize/osv.js'
import type { Advisory } from './types.js'

export type Prepared =
  | { t: 'main' }
  | { t: 'rejected'; reason: string }
  | { t: 'schema' }
  | { t: 'osv'; advisory: Advisory; notes: string[] }

export function prepare(file: string, text: string, maxDepth: number): Prepared {
  const json = parseGuardedJson(text, maxDepth)
  if (!json.ok) return { t: 'rejected', reason: json.reason }
  const doc = json.value
  if (isJsonSchema(doc)) return { t: 'schema' }
  // The importer's order: CSAF and KEV are recognised before OSV.
  if (isCsafDocument(doc) || isKevCatalog(doc) || !isOsvRecord(doc)) return { t: 'main' }
  const r = normalizeOsv(doc, file)
  return r.ok ? { t: 'osv', advisory: r.advisory, notes: r.notes } : { t: 'rejected', reason: r.reason }
}
