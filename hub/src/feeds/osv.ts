/**
 * The OSV bucket layout, per ecosystem: the first sync reads `<url>/<Ecosystem>/all.zip`, downloaded
 * to a temporary file and read entry by entry (yauzl: never the whole zip in memory), imported in
 * bounded chunks; later syncs read `<url>/<Ecosystem>/modified_id.csv` (`<ISO time>,<ID>`, newest
 * first) down to the cursor and fetch only the changed `<ID>.json`. The cursor (newest `modified`
 * seen) moves only when an ecosystem's sync completed.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ImportText } from '../risk/advisories/index.js'
import { FeedFetchError } from './http.js'
import { count, docsOf, IMPORT_CHUNK, type SyncContext, yieldLoop } from './sync-context.js'
import { eachEntry, openZip } from './zip.js'

/** Largest single OSV record read from a zip. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024
/** Largest all.zip accepted (a whole ecosystem). */
const MAX_ZIP_BYTES = 2 * 1024 * 1024 * 1024

function base(url: string): string {
  return url.endsWith('/') ? url : `${url}/`
}

function newest(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a
}

/** Newest `modified` of a record text, without trusting it to parse (the importer says why not). */
function modifiedOf(text: string): string | undefined {
  const m = text.match(/"modified"\s*:\s*"([^"]+)"/)
  return m?.[1]
}

async function importBatch(ctx: SyncContext, batch: ImportText[], eco: string): Promise<void> {
  if (batch.length === 0) return
  const refused = count(ctx.tally, await ctx.importTexts(batch))
  const docs = docsOf(ctx.state)
  for (const t of batch) {
    const reason = refused.get(t.file)
    if (reason !== undefined) docs[t.file] = { stamp: modifiedOf(t.text) ?? eco, refused: reason }
    else delete docs[t.file]
  }
  await yieldLoop()
}

async function fullSync(ctx: SyncContext, url: string, eco: string): Promise<string> {
  const zipUrl = `${base(url)}${encodeURIComponent(eco)}/all.zip`
  const file = join(ctx.tempDir, `osv-${ctx.feed.id}-${eco.replace(/[^A-Za-z0-9]/g, '_')}.zip`)
  try {
    ctx.progress(`${eco}: downloading all.zip`, 0)
    const r = await ctx.fetcher.download(zipUrl, file, { maxBytes: MAX_ZIP_BYTES })
    if (r.status !== 200) throw new FeedFetchError(zipUrl, `${zipUrl}: HTTP ${r.status}`)
    try {
      ;(await openZip(file)).close()
    } catch (err) {
      throw new FeedFetchError(zipUrl, `${zipUrl}: damaged or truncated zip (${(err as Error).message})`)
    }
    let cursor = ''
    let done = 0
    let batch: ImportText[] = []
    const total = await eachEntry(file, async (name, read, count) => {
      if (ctx.signal.aborted) throw ctx.signal.reason
      done++
      if (!name.endsWith('.json')) return
      const body = await read()
      const text = body.toString('utf8')
      cursor = newest(cursor, modifiedOf(text))
      batch.push({ file: `${zipUrl}#${name}`, text })
      if (batch.length >= IMPORT_CHUNK) {
        ctx.progress(`${eco}: importing`, done, count)
        const chunk = batch
        batch = []
        await importBatch(ctx, chunk, eco)
      }
    }).catch((err) => {
      if (ctx.signal.aborted || err instanceof FeedFetchError) throw err
      throw new FeedFetchError(zipUrl, `${zipUrl}: damaged zip (${(err as Error).message})`)
    })
    await importBatch(ctx, batch, eco)
    ctx.progress(`${eco}: imported`, done, total)
    return cursor
  } finally {
    await rm(file, { force: true })
  }
}

/** `modified_id.csv` lines newer than the cursor (the file is newest first); bad lines are refused. */
export function parseModified(
  text: string,
  cursor: string,
  onBad: (line: number, raw: string) => void,
): { id: string; modified: string }[] {
  const out: { id: string; modified: string }[] = []
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const m = line.match(/^([0-9]{4}-[0-9]{2}-[0-9]{2}T[^,]+),([A-Za-z0-9._:-]+)$/)
    if (!m?.[1] || !m[2] || Number.isNaN(Date.parse(m[1]))) {
      onBad(i + 1, line.slice(0, 120))
      continue
    }
    if (Date.parse(m[1]) <= Date.parse(cursor)) break
    out.push({ modified: m[1], id: m[2] })
  }
  return out
}

async function incremental(ctx: SyncContext, url: string, eco: string, cursor: string): Promise<string> {
  const listUrl = `${base(url)}${encodeURIComponent(eco)}/modified_id.csv`
  const r = await ctx.fetcher.get(listUrl, { validator: ctx.state.validators[listUrl] })
  if (r.status === 304) return cursor
  if (r.status === 404) throw new FeedFetchError(listUrl, `${listUrl}: not found (404)`)
  const docs = docsOf(ctx.state)
  for (const k of Object.keys(docs)) if (k.startsWith(`${listUrl}#`)) delete docs[k]
  const changed = parseModified(r.body.toString('utf8'), cursor, (line, raw) => {
    docs[`${listUrl}#L${line}`] = { stamp: 'line', refused: `malformed modified_id.csv line: ${raw}` }
  })
  let next = cursor
  let batch: ImportText[] = []
  for (const [i, c] of changed.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason
    ctx.progress(`${eco}: changed records`, i, changed.length)
    const recUrl = `${base(url)}${encodeURIComponent(eco)}/${encodeURIComponent(c.id)}.json`
    const rec = await ctx.fetcher.get(recUrl, { maxBytes: MAX_RECORD_BYTES })
    next = newest(next, c.modified)
    if (rec.status !== 200) {
      docs[recUrl] = {
        stamp: c.modified,
        refused: `HTTP ${rec.status === 404 ? '404 (listed but not found)' : rec.status}`,
      }
      continue
    }
    batch.push({ file: recUrl, text: rec.body.toString('utf8') })
    if (batch.length >= IMPORT_CHUNK) {
      await importBatch(ctx, batch, eco)
      batch = []
    }
  }
  await importBatch(ctx, batch, eco)
  // Only now is the list's validator kept: a failure above fetches the list again next time.
  ctx.state.validators[listUrl] = r.validator
  return next
}

export async function syncOsv(ctx: SyncContext): Promise<void> {
  const ecosystems = ctx.feed.ecosystems ?? []
  if (ecosystems.length === 0)
    throw new FeedFetchError(ctx.feed.url, 'an osv feed needs at least one ecosystem')
  if (ctx.state.osvCursor === undefined) ctx.state.osvCursor = {}
  const cursors = ctx.state.osvCursor
  for (const eco of ecosystems) {
    const cursor = cursors[eco]
    cursors[eco] =
      cursor === undefined
        ? await fullSync(ctx, ctx.feed.url, eco)
        : await incremental(ctx, ctx.feed.url, eco, cursor)
  }
}
