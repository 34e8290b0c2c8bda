/**
 * A CSAF 2.0 trusted provider (section 7): provider-metadata.json (found from a domain through
 * `/.well-known/csaf/provider-metadata.json` or `security.txt`'s `CSAF:` field), its OpenPGP keys
 * pinned at first use, and both distribution forms — `directory_url` (changes.csv, index.txt) and ROLIE
 * feeds. Only documents whose change stamp moved are fetched; each one's .sha256/.sha512 (every one
 * present) and detached .asc are checked before it reaches the importer, which checks schema and the
 * mandatory tests. A refused document stays listed until it changes; the rest of the sync goes on.
 */
import { createHash } from 'node:crypto'
import type { Validator } from './db.js'
import { FeedFetchError } from './http.js'
import { normalizeFingerprint, type PublicKey, readPublicKey, verifyDetached } from './openpgp.js'
import { count, docsOf, IMPORT_CHUNK, type SyncContext, yieldLoop } from './sync-context.js'

interface ProviderMetadata {
  distributions?: { directory_url?: string; rolie?: { feeds?: { url?: string }[] } }[]
  public_openpgp_keys?: { fingerprint?: string; url?: string }[]
}

/** The stamp of a document that could not be fetched: never equal to a listing's, so it is tried again. */
const RETRY = 'retry'

interface Listed {
  url: string
  stamp: string
  hashes?: string[]
  signature?: string
}

async function getText(ctx: SyncContext, url: string): Promise<{ text: string | null; status: number }> {
  const validator: Validator | undefined = ctx.state.validators[url]
  const r = await ctx.fetcher.get(url, { validator })
  if (r.status === 404) return { text: null, status: 404 }
  if (r.status === 304) return { text: null, status: 304 }
  ctx.state.validators[url] = r.validator
  return { text: r.body.toString('utf8'), status: 200 }
}

/** The provider-metadata.json URL for a feed URL: as given, or discovered from a domain. */
async function resolveMetadata(ctx: SyncContext): Promise<string> {
  if (ctx.state.metadataUrl) return ctx.state.metadataUrl
  const given = ctx.feed.url
  if (/\.json($|\?)/.test(given)) return given
  const base = new URL(given)
  const wellKnown = new URL('/.well-known/csaf/provider-metadata.json', base).href
  if ((await ctx.fetcher.get(wellKnown)).status === 200) return wellKnown
  const sec = await ctx.fetcher.get(new URL('/.well-known/security.txt', base).href)
  if (sec.status === 200) {
    const m = sec.body.toString('utf8').match(/^CSAF:\s*(\S+)/m)
    if (m?.[1]) return new URL(m[1], base).href
  }
  throw new FeedFetchError(given, `no CSAF provider metadata found at ${given} (.well-known or security.txt)`)
}

async function providerKeys(ctx: SyncContext, meta: ProviderMetadata, metaUrl: string): Promise<PublicKey[]> {
  const pinned = ctx.state.pinnedKeys
  if (pinned && Object.keys(pinned).length > 0) {
    const keys: PublicKey[] = []
    for (const armored of Object.values(pinned)) keys.push(await readPublicKey(Buffer.from(armored)))
    const declared = (meta.public_openpgp_keys ?? []).map((k) => normalizeFingerprint(k.fingerprint ?? ''))
    const fresh = declared.filter((fp) => fp !== '' && pinned[fp] === undefined)
    if (fresh.length > 0)
      ctx.progress(
        `provider declares keys not pinned (ignored until an admin re-pins): ${fresh.join(', ')}`,
        0,
      )
    return keys
  }
  const keys: PublicKey[] = []
  for (const entry of meta.public_openpgp_keys ?? []) {
    if (!entry.url) continue
    const url = new URL(entry.url, metaUrl).href
    const r = await ctx.fetcher.get(url)
    if (r.status !== 200) throw new FeedFetchError(url, `${url}: the provider's OpenPGP key is unavailable`)
    const key = await readPublicKey(r.body)
    if (entry.fingerprint && normalizeFingerprint(entry.fingerprint) !== key.fingerprint)
      throw new FeedFetchError(
        url,
        `${url}: key fingerprint ${key.fingerprint} is not the declared ${entry.fingerprint}`,
      )
    keys.push(key)
  }
  if (keys.length === 0)
    throw new FeedFetchError(metaUrl, `${metaUrl}: the provider names no public_openpgp_keys`)
  ctx.state.pinnedKeys = Object.fromEntries(keys.map((k) => [k.fingerprint, k.armored]))
  return keys
}

/** changes.csv: `"<path>","<RFC 3339 time>"` per line (quotes optional); bad lines are refused. */
export function parseChanges(
  text: string,
  dirUrl: string,
  onBad: (line: number, raw: string) => void,
): Listed[] {
  const out: Listed[] = []
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const m = line.match(/^"?([^",]+\.json)"?\s*,\s*"?([0-9]{4}-[0-9]{2}-[0-9]{2}T[^",]+)"?$/)
    if (!m?.[1] || !m[2] || Number.isNaN(Date.parse(m[2]))) {
      onBad(i + 1, line.slice(0, 120))
      continue
    }
    out.push({ url: new URL(m[1], dirUrl).href, stamp: m[2] })
  }
  return out
}

async function listDirectory(ctx: SyncContext, dirUrl: string): Promise<Listed[] | null> {
  const dir = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`
  const changesUrl = new URL('changes.csv', dir).href
  const changes = await getText(ctx, changesUrl)
  if (changes.status === 304) return null
  if (changes.text !== null) {
    for (const url of Object.keys(ctx.state.docs ?? {}))
      if (url.startsWith(`${changesUrl}#`)) delete ctx.state.docs?.[url]
    return parseChanges(changes.text, dir, (line, raw) =>
      refuse(ctx, `${changesUrl}#L${line}`, `malformed changes.csv line: ${raw}`, 'line'),
    )
  }
  // No changes.csv: index.txt lists every document; without stamps each is fetched once.
  const index = await getText(ctx, new URL('index.txt', dir).href)
  if (index.text === null) {
    if (index.status === 304) return null
    throw new FeedFetchError(dir, `${dir}: neither changes.csv nor index.txt`)
  }
  return index.text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.endsWith('.json'))
    .map((l) => ({ url: new URL(l, dir).href, stamp: 'listed' }))
}

interface RolieLink {
  rel?: string
  href?: string
}

async function listRolie(ctx: SyncContext, feedUrl: string): Promise<Listed[] | null> {
  const r = await getText(ctx, feedUrl)
  if (r.status === 304) return null
  if (r.text === null) throw new FeedFetchError(feedUrl, `${feedUrl}: ROLIE feed not found (404)`)
  const doc = JSON.parse(r.text) as {
    feed?: { entry?: { updated?: string; link?: RolieLink[]; content?: { src?: string } }[] }
  }
  const out: Listed[] = []
  for (const e of doc.feed?.entry ?? []) {
    const links = e.link ?? []
    const self = links.find((l) => l.rel === 'self')?.href ?? e.content?.src
    if (!self) continue
    out.push({
      url: new URL(self, feedUrl).href,
      stamp: e.updated ?? 'listed',
      hashes: links.filter((l) => l.rel === 'hash' && l.href).map((l) => new URL(l.href ?? '', feedUrl).href),
      signature: ((href) => (href ? new URL(href, feedUrl).href : undefined))(
        links.find((l) => l.rel === 'signature')?.href,
      ),
    })
  }
  return out
}

function refuse(ctx: SyncContext, url: string, reason: string, stamp: string, listed?: string): void {
  docsOf(ctx.state)[url] =
    listed === undefined ? { stamp, refused: reason } : { stamp, refused: reason, listed }
}

/** Why the document may not be imported (hashes, signature), or null. */
async function check(ctx: SyncContext, doc: Listed, body: Buffer, keys: PublicKey[]): Promise<string | null> {
  const hashUrls = doc.hashes?.length ? doc.hashes : [`${doc.url}.sha256`, `${doc.url}.sha512`]
  let checked = 0
  for (const url of hashUrls) {
    const algo = url.endsWith('.sha512') ? 'sha512' : url.endsWith('.sha256') ? 'sha256' : null
    if (algo === null) continue
    const r = await ctx.fetcher.get(url, { maxBytes: 4096 })
    if (r.status !== 200) continue
    const expected = r.body.toString('utf8').trim().split(/\s+/)[0]?.toLowerCase() ?? ''
    const actual = createHash(algo).update(body).digest('hex')
    if (expected !== actual)
      return `${algo} mismatch: ${url} says ${expected.slice(0, 16)}…, the document is ${actual.slice(0, 16)}…`
    checked++
  }
  if (checked === 0) return 'no .sha256 or .sha512 beside the document'
  const sigUrl = doc.signature ?? `${doc.url}.asc`
  const sig = await ctx.fetcher.get(sigUrl, { maxBytes: 64 * 1024 })
  if (sig.status !== 200) return `no OpenPGP signature at ${sigUrl}`
  return verifyDetached(body, sig.body, keys)
}

export async function syncCsafProvider(ctx: SyncContext): Promise<void> {
  ctx.progress('provider metadata', 0)
  const metaUrl = await resolveMetadata(ctx)
  ctx.state.metadataUrl = metaUrl
  const metaRes = await ctx.fetcher.get(metaUrl, { validator: ctx.state.validators[metaUrl] })
  if (metaRes.status === 404)
    throw new FeedFetchError(metaUrl, `${metaUrl}: provider metadata not found (404)`)
  let meta: ProviderMetadata
  if (metaRes.status === 200) {
    meta = JSON.parse(metaRes.body.toString('utf8')) as ProviderMetadata
    ctx.state.validators[metaUrl] = metaRes.validator
    ctx.state.metadata = metaRes.body.toString('utf8')
  } else {
    // 304: the metadata parsed last time (kept in the state).
    if (!ctx.state.metadata) throw new FeedFetchError(metaUrl, `${metaUrl}: 304 without a kept copy`)
    meta = JSON.parse(ctx.state.metadata) as ProviderMetadata
  }
  const keys = await providerKeys(ctx, meta, metaUrl)

  const docs = docsOf(ctx.state)
  const listed: Listed[] = []
  const sources: { url: string; list: (url: string) => Promise<Listed[] | null> }[] = []
  for (const dist of meta.distributions ?? []) {
    if (dist.directory_url)
      sources.push({ url: new URL(dist.directory_url, metaUrl).href, list: (u) => listDirectory(ctx, u) })
    for (const f of dist.rolie?.feeds ?? [])
      if (f.url) sources.push({ url: new URL(f.url, metaUrl).href, list: (u) => listRolie(ctx, u) })
  }
  if (sources.length === 0)
    throw new FeedFetchError(metaUrl, `${metaUrl}: no distributions (directory_url or rolie)`)
  // One distribution failing (e.g. a TLP:AMBER feed that needs credentials) is listed; the others go on.
  let failed: unknown
  let reached = 0
  for (const src of sources) {
    try {
      listed.push(...((await src.list(src.url)) ?? []))
      delete docs[src.url]
      reached++
    } catch (err) {
      if (ctx.signal.aborted) throw err
      failed = err
      docs[src.url] = { stamp: 'listing', refused: `distribution not readable: ${(err as Error).message}` }
    }
  }
  if (reached === 0) throw failed
  const seen = new Set<string>()
  const todo = listed.filter((d) => {
    if (seen.has(d.url)) return false
    seen.add(d.url)
    return docs[d.url]?.stamp !== d.stamp
  })
  ctx.tally.unchanged += seen.size - todo.length
  // Documents that could not be fetched last time are tried again, even when the listing is unchanged.
  for (const [url, d] of Object.entries(docs))
    if (d.stamp === RETRY && d.listed !== undefined && !seen.has(url)) todo.push({ url, stamp: d.listed })
  let batch: { file: string; text: string; doc: Listed }[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const refused = count(ctx.tally, await ctx.importTexts(batch.map(({ file, text }) => ({ file, text }))))
    for (const b of batch) {
      const reason = refused.get(b.file)
      docs[b.doc.url] =
        reason === undefined ? { stamp: b.doc.stamp } : { stamp: b.doc.stamp, refused: reason }
    }
    batch = []
    await yieldLoop()
  }
  for (const [i, doc] of todo.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason
    ctx.progress('documents', i, todo.length)
    let r: Awaited<ReturnType<typeof ctx.fetcher.get>>
    try {
      r = await ctx.fetcher.get(doc.url)
    } catch (err) {
      if (ctx.signal.aborted) throw err
      // Unreachable now: listed, and fetched again by the next sync (not only when it changes).
      refuse(ctx, doc.url, (err as Error).message, RETRY, doc.stamp)
      continue
    }
    if (r.status !== 200) {
      refuse(
        ctx,
        doc.url,
        `HTTP ${r.status === 404 ? '404 (listed but not found)' : r.status}`,
        RETRY,
        doc.stamp,
      )
      continue
    }
    const why = await check(ctx, doc, r.body, keys)
    if (why !== null) {
      refuse(ctx, doc.url, why, doc.stamp)
      continue
    }
    batch.push({ file: doc.url, text: r.body.toString('utf8'), doc })
    if (batch.length >= IMPORT_CHUNK) await flush()
  }
  await flush()
  ctx.progress('done', todo.length, todo.length)
}
