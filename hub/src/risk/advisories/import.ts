/**
 * `importAdvisories(paths)`: walks files and folders, reads OSV / CSAF 2.0 / KEV / EPSS, and hands each
 * normalised advisory to a sink (by default an in-memory `AdvisoryIndex`). Every refusal names the file
 * and why; one bad file never stops the rest. Newer revisions replace older; the same revision of an
 * id seen twice is reported as a duplicate.
 */
import { lstat, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AdvisoryIndex } from './advisory-index.js'
import { isJsonSchema, parseGuardedJson } from './json-guard.js'
import { isCsafDocument, normalizeCsaf } from './normalize/csaf.js'
import { parseEpssCsv } from './normalize/epss.js'
import { isKevCatalog, normalizeKev } from './normalize/kev.js'
import { isOsvRecord, normalizeOsv } from './normalize/osv.js'
import type { ParsePool } from './parse-pool.js'
import type { Prepared } from './prepare.js'
import type { Advisory, ImportIssue, KevEntry } from './types.js'
import { createVendorMatcher, type VendorMatcher } from './vendor.js'

export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024
export const DEFAULT_MAX_DEPTH = 64

/** Where normalised advisories go. `AdvisoryIndex` is one; the hub's store can be another. */
export interface AdvisorySink {
  upsert(a: Advisory): 'added' | 'updated' | 'stale' | Promise<'added' | 'updated' | 'stale'>
}

export interface ImportOptions {
  sink?: AdvisorySink
  vendors?: VendorMatcher
  maxFileBytes?: number
  maxDepth?: number
  onProgress?: (done: number, total: number, file: string) => void
  /** Documents in memory (`importTexts`): parse and normalise OSV records in this worker thread. */
  pool?: ParsePool
}

export interface ImportSummary {
  files: number
  imported: string[]
  updated: string[]
  /** Same or older revision than already held (not an error). */
  skipped: ImportIssue[]
  rejected: ImportIssue[]
  notes: ImportIssue[]
  kev: Map<string, KevEntry>
  kevVersion: string | null
  epss: Map<string, number>
  index: AdvisoryIndex | null
}

const SKIP = /\.(asc|sha256|sha512|md|txt|yaml|yml|LICENSE)$/i

async function collect(paths: string[], rejected: ImportIssue[]): Promise<string[]> {
  const files: string[] = []
  const stack = [...paths].reverse()
  while (stack.length > 0) {
    const p = stack.pop()
    if (p === undefined) break
    let st: Awaited<ReturnType<typeof lstat>>
    try {
      st = await lstat(p)
    } catch (e) {
      rejected.push({
        file: p,
        reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      })
      continue
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p)).sort().reverse()
      for (const name of entries) stack.push(join(p, name))
    } else if (st.isFile() && (/\.(json|csv)$/i.test(p) || paths.includes(p)) && !SKIP.test(p)) {
      files.push(p)
    }
  }
  return files
}

type Parsed =
  | { kind: 'advisories'; advisories: Advisory[]; notes: string[] }
  | { kind: 'kev'; entries: Map<string, KevEntry>; version: string }
  | { kind: 'epss'; scores: Map<string, number> }
  | { kind: 'rejected'; reason: string }

function parseDocument(doc: unknown, file: string, vendors: VendorMatcher): Parsed {
  if (isCsafDocument(doc)) {
    const r = normalizeCsaf(doc, file, vendors)
    return r.ok
      ? { kind: 'advisories', advisories: [r.advisory], notes: r.notes }
      : { kind: 'rejected', reason: r.reason }
  }
  if (isKevCatalog(doc)) {
    const r = normalizeKev(doc)
    return r.ok
      ? { kind: 'kev', entries: r.entries, version: r.version }
      : { kind: 'rejected', reason: r.reason }
  }
  if (isOsvRecord(doc)) {
    const r = normalizeOsv(doc, file)
    return r.ok
      ? { kind: 'advisories', advisories: [r.advisory], notes: r.notes }
      : { kind: 'rejected', reason: r.reason }
  }
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isOsvRecord)) {
    const advisories: Advisory[] = []
    const notes: string[] = []
    for (const [i, item] of doc.entries()) {
      const r = normalizeOsv(item, `${file}#${i}`)
      if (!r.ok) return { kind: 'rejected', reason: `item ${i}: ${r.reason}` }
      advisories.push(r.advisory)
      notes.push(...r.notes)
    }
    return { kind: 'advisories', advisories, notes }
  }
  return { kind: 'rejected', reason: 'not an OSV record, CSAF 2.0 document or KEV catalog' }
}

function emptySummary(index: AdvisoryIndex | null): ImportSummary {
  return {
    files: 0,
    imported: [],
    updated: [],
    skipped: [],
    rejected: [],
    notes: [],
    kev: new Map(),
    kevVersion: null,
    epss: new Map(),
    index,
  }
}

/** One document already in memory (a feed download, an upload), named for the summary. */
export interface ImportText {
  file: string
  text: string
}

interface Intake {
  summary: ImportSummary
  sink: AdvisorySink
  vendors: VendorMatcher
  maxDepth: number
  seen: Map<string, { file: string; revision: string }>
}

/** What `prepare` (the parse worker) left to do, as the importer's own parse would have found it. */
function fromPrepared(p: Exclude<Prepared, { t: 'main' }>): Parsed | 'schema' {
  if (p.t === 'schema') return 'schema'
  if (p.t === 'rejected') return { kind: 'rejected', reason: p.reason }
  return { kind: 'advisories', advisories: [p.advisory], notes: p.notes }
}

async function ingestText(t: Intake, file: string, text: string, pre?: Prepared): Promise<void> {
  const summary = t.summary
  let parsed: Parsed
  const done = pre !== undefined && pre.t !== 'main' ? fromPrepared(pre) : undefined
  if (done === 'schema') {
    summary.skipped.push({ file, reason: 'a JSON Schema, not an advisory' })
    return
  }
  if (done !== undefined) parsed = done
  else if (/\.csv$/i.test(file)) {
    if (!/^(#|cve,epss)/.test(text)) {
      summary.skipped.push({ file, reason: 'CSV that is not an EPSS file' })
      return
    }
    const r = parseEpssCsv(text)
    parsed = r.ok ? { kind: 'epss', scores: r.scores } : { kind: 'rejected', reason: r.reason }
  } else {
    const json = parseGuardedJson(text, t.maxDepth)
    if (json.ok && isJsonSchema(json.value)) {
      // e.g. known_exploited_vulnerabilities_schema.json, which comes beside the KEV catalog
      summary.skipped.push({ file, reason: 'a JSON Schema, not an advisory' })
      return
    }
    parsed = json.ok ? parseDocument(json.value, file, t.vendors) : { kind: 'rejected', reason: json.reason }
  }
  switch (parsed.kind) {
    case 'rejected':
      summary.rejected.push({ file, reason: parsed.reason })
      break
    case 'kev':
      for (const [k, v] of parsed.entries) summary.kev.set(k, v)
      summary.kevVersion = parsed.version
      break
    case 'epss':
      for (const [k, v] of parsed.scores) summary.epss.set(k, v)
      break
    case 'advisories':
      for (const note of parsed.notes) summary.notes.push({ file, reason: note })
      for (const a of parsed.advisories) {
        const prior = t.seen.get(a.id)
        if (prior !== undefined && prior.revision === a.revision) {
          summary.skipped.push({
            file,
            reason: `duplicate id ${a.id} (revision ${a.revision}, also in ${prior.file})`,
          })
          continue
        }
        const outcome = await t.sink.upsert(a)
        if (outcome === 'stale') {
          summary.skipped.push({
            file,
            reason: `${a.id} revision ${a.revision} is not newer than the one held`,
          })
          continue
        }
        t.seen.set(a.id, { file, revision: a.revision })
        if (outcome === 'added') summary.imported.push(a.id)
        else {
          summary.updated.push(a.id)
          // An id first imported in this run and then replaced is still one import.
          if (summary.imported.includes(a.id)) summary.updated.pop()
        }
      }
      break
  }
}

function intake(opts: ImportOptions): Intake {
  const vendors = opts.vendors ?? createVendorMatcher()
  const index = opts.sink === undefined ? new AdvisoryIndex(vendors) : null
  return {
    summary: emptySummary(index),
    sink: opts.sink ?? (index as AdvisoryIndex),
    vendors,
    maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
    seen: new Map(),
  }
}

/**
 * Longest stretch of parsing between two turns of the event loop: the hub keeps answering devices and
 * the dashboard while a feed imports 100,000 records.
 */
const SLICE_MS = 5

/**
 * Documents already in memory, checked exactly like files (size, nesting, schemas): a `.csv` name is
 * read as EPSS, anything else as JSON.
 */
export async function importTexts(
  texts: Iterable<ImportText>,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const t = intake(opts)
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  const list = [...texts]
  // JSON documents within the size limit go through the parse worker first, when there is one.
  const eligible = list.map(({ file, text }) => !/\.csv$/i.test(file) && Buffer.byteLength(text) <= maxBytes)
  const prepared = opts.pool
    ? await opts.pool.prepare(
        list.filter((_, i) => eligible[i]),
        t.maxDepth,
      )
    : undefined
  let next = 0
  let slice = performance.now()
  for (const [i, { file, text }] of list.entries()) {
    const pre = prepared && eligible[i] ? prepared[next++] : undefined
    // Documents already in memory never wait on I/O: the event loop is given a turn every few ms.
    if (performance.now() - slice >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      slice = performance.now()
    }
    t.summary.files++
    const size = Buffer.byteLength(text)
    if (size > maxBytes) {
      t.summary.rejected.push({ file, reason: `document of ${size} bytes exceeds the limit of ${maxBytes}` })
      continue
    }
    await ingestText(t, file, text, pre)
  }
  // What the caller does next (the sink writes its pack: one JSON of up to `PACK_MAX` advisories)
  // starts on a fresh turn, not at the end of the last slice.
  await new Promise((resolve) => setImmediate(resolve))
  return t.summary
}

export async function importAdvisories(paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const t = intake(opts)
  const summary = t.summary
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  const files = await collect(paths, summary.rejected)
  summary.files = files.length
  for (const [n, file] of files.entries()) {
    opts.onProgress?.(n, files.length, file)
    const st = await lstat(file)
    if (st.size > maxBytes) {
      summary.rejected.push({ file, reason: `file of ${st.size} bytes exceeds the limit of ${maxBytes}` })
      continue
    }
    await ingestText(t, file, await readFile(file, 'utf8'))
  }
  opts.onProgress?.(files.length, files.length, '')
  return summary
}
