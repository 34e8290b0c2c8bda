/**
 * A CSAF 2.0 aggregator (section 7.1.21, `aggregator.json`): it lists providers and their mirrors; the
 * feed shows them (`available`) and syncs only those an admin picked (`providers`: a provider's
 * metadata URL or one of its mirrors), each as a trusted provider with its own state — its own pinned
 * keys, cursors and refusals. One provider failing is listed; the others go on.
 */
import { syncCsafProvider } from './csaf.js'
import type { FeedState } from './db.js'
import { FeedFetchError } from './http.js'
import { docsOf, type SyncContext } from './sync-context.js'

interface AggregatorJson {
  csaf_providers?: { metadata?: { url?: string; publisher?: { name?: string } }; mirrors?: string[] }[]
}

export async function syncCsafAggregator(ctx: SyncContext): Promise<void> {
  const url = ctx.feed.url
  ctx.progress('aggregator', 0)
  const r = await ctx.fetcher.get(url, { validator: ctx.state.validators[url] })
  if (r.status === 404) throw new FeedFetchError(url, `${url}: aggregator.json not found (404)`)
  if (r.status === 200) {
    ctx.state.validators[url] = r.validator
    ctx.state.metadata = r.body.toString('utf8')
  }
  if (!ctx.state.metadata) throw new FeedFetchError(url, `${url}: 304 without a kept copy`)
  const agg = JSON.parse(ctx.state.metadata) as AggregatorJson
  const available = (agg.csaf_providers ?? []).flatMap((p) =>
    p.metadata?.url
      ? [
          {
            name: p.metadata.publisher?.name ?? p.metadata.url,
            url: new URL(p.metadata.url, url).href,
            mirrors: (p.mirrors ?? []).map((m) => new URL(m, url).href),
          },
        ]
      : [],
  )
  ctx.state.available = available
  const listed = new Set(available.flatMap((p) => [p.url, ...p.mirrors]))
  if (ctx.state.providers === undefined) ctx.state.providers = {}
  const subs = ctx.state.providers
  const docs = docsOf(ctx.state)
  for (const k of Object.keys(subs)) if (!(ctx.feed.providers ?? []).includes(k)) delete subs[k]
  let failed: unknown
  let reached = 0
  for (const provider of ctx.feed.providers ?? []) {
    delete docs[provider]
    if (!listed.has(provider)) {
      docs[provider] = {
        stamp: 'provider',
        refused: 'not listed by the aggregator (as a provider or a mirror)',
      }
      continue
    }
    const state: FeedState = subs[provider] ?? { id: `${ctx.feed.id}:${provider}`, validators: {}, errors: 0 }
    try {
      await syncCsafProvider({
        ...ctx,
        feed: { ...ctx.feed, kind: 'csaf-provider', url: provider },
        state,
        progress: (phase, done, total) => ctx.progress(`${provider}: ${phase}`, done, total),
      })
      reached++
    } catch (err) {
      if (ctx.signal.aborted) throw err
      failed = err
      docs[provider] = { stamp: 'provider', refused: `provider failed: ${(err as Error).message}` }
    }
    subs[provider] = state
  }
  if (reached === 0 && failed !== undefined) throw failed
}
