/**
 * Single-file catalogs: CISA's KEV JSON and FIRST's daily EPSS CSV (gzip or plain). Fetched with a
 * conditional request; an unchanged catalog costs one 304.
 */
import { gunzipSync } from 'node:zlib'
import { FeedFetchError } from './http.js'
import { count, type SyncContext } from './sync-context.js'

/** The EPSS CSV is ~2 MB gzipped, ~10 MB plain: the unzipped text is bounded too. */
const MAX_PLAIN_BYTES = 256 * 1024 * 1024

async function fetchCatalog(ctx: SyncContext): Promise<Buffer | null> {
  const url = ctx.feed.url
  const r = await ctx.fetcher.get(url, { validator: ctx.state.validators[url] })
  if (r.status === 404) throw new FeedFetchError(url, `${url}: not found (404)`)
  if (r.status === 304) {
    ctx.tally.unchanged++
    return null
  }
  ctx.state.validators[url] = r.validator
  return r.body
}

async function importOne(ctx: SyncContext, file: string, text: string, what: 'kev' | 'epss'): Promise<void> {
  const summary = await ctx.importTexts([{ file, text }])
  const refused = count(ctx.tally, summary)
  const empty = (what === 'kev' ? summary.kev.size : summary.epss.size) === 0
  const reason =
    refused.get(file) ?? (empty ? `no ${what === 'kev' ? 'KEV entries' : 'EPSS scores'} in it` : undefined)
  if (reason !== undefined) {
    // The validator is dropped so the next sync fetches the catalog again.
    delete ctx.state.validators[ctx.feed.url]
    throw new FeedFetchError(ctx.feed.url, `${ctx.feed.url}: refused: ${reason}`)
  }
}

export async function syncKev(ctx: SyncContext): Promise<void> {
  ctx.progress('catalog', 0)
  const body = await fetchCatalog(ctx)
  if (body === null) return
  await importOne(ctx, 'kev.json', body.toString('utf8'), 'kev')
  // The importer reports the catalog as KEV entries, not advisories: a changed catalog is one update.
  ctx.tally.updated++
}

export async function syncEpss(ctx: SyncContext): Promise<void> {
  ctx.progress('scores', 0)
  const body = await fetchCatalog(ctx)
  if (body === null) return
  let text: string
  try {
    text = (
      body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body, { maxOutputLength: MAX_PLAIN_BYTES }) : body
    ).toString('utf8')
  } catch (err) {
    delete ctx.state.validators[ctx.feed.url]
    throw new FeedFetchError(
      ctx.feed.url,
      `${ctx.feed.url}: not a readable gzip file (${(err as Error).message})`,
    )
  }
  await importOne(ctx, 'epss.csv', text, 'epss')
  ctx.tally.updated++
}
