/**
 * Offline bundles for air-gapped hubs. Export: every chosen feed is synced from scratch by a fetcher
 * that records each answer (metadata, change lists, keys, documents, hashes, signatures, OSV zips)
 * into one zip with a manifest. Import: the same sync code runs against the bundle (`BundleFetcher`),
 * so every hash and signature is checked again against the importing hub's own pinned keys, and its
 * cursors decide what is new (unchanged documents are not applied again).
 *
 *   vigil-feeds-bundle.json   { format, version, createdAt, feeds: BundleFeed[], files: { url: member } }
 *   files/<n>                 one recorded answer
 */
import { createWriteStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { FeedKind, FeedSyncResult } from '@vigil/protocol'
import yauzl from 'yauzl'
import yazl from 'yazl'
import { importTexts } from '../risk/advisories/index.js'
import { syncCsafAggregator } from './aggregator.js'
import { syncEpss, syncKev } from './catalogs.js'
import { syncCsafProvider } from './csaf.js'
import type { FeedRecord, FeedState } from './db.js'
import { FeedHttp, type Fetched, type GetOptions, type HttpPolicy } from './http.js'
import { syncOsv } from './osv.js'
import type { Fetcher, SyncContext } from './sync-context.js'
import { readEntry } from './zip.js'

export const BUNDLE_MANIFEST = 'vigil-feeds-bundle.json'

export interface BundleFeed {
  kind: FeedKind
  name: string
  url: string
  ecosystems?: string[]
  providers?: string[]
  intervalMinutes: number
  /** What the exporting sync saw (refusals included: the importer decides again). */
  result: FeedSyncResult
}

interface Manifest {
  format: 'vigil-feeds-bundle'
  version: 1
  createdAt: string
  feeds: BundleFeed[]
  files: Record<string, string>
}

const SYNCS: Partial<Record<FeedKind, (ctx: SyncContext) => Promise<void>>> = {
  'csaf-provider': syncCsafProvider,
  'csaf-aggregator': syncCsafAggregator,
  osv: syncOsv,
  kev: syncKev,
  epss: syncEpss,
}

/** A fetcher that keeps every 200 answer in a staging folder. */
class RecordingFetcher implements Fetcher {
  constructor(
    private readonly inner: FeedHttp,
    private readonly dir: string,
    private readonly files: Record<string, string>,
  ) {}

  get requests() {
    return this.inner.requests
  }
  get bytes() {
    return this.inner.bytes
  }

  #member(url: string): string {
    const existing = this.files[url]
    if (existing) return existing
    const member = `files/${String(Object.keys(this.files).length + 1).padStart(6, '0')}`
    this.files[url] = member
    return member
  }

  async get(url: string, opts?: GetOptions): Promise<Fetched> {
    const r = await this.inner.get(url, opts)
    if (r.status === 200) await writeFile(join(this.dir, this.#member(url)), r.body)
    return r
  }

  async download(url: string, file: string, opts?: GetOptions): Promise<Fetched> {
    const r = await this.inner.download(url, file, opts)
    if (r.status === 200) await copyFile(file, join(this.dir, this.#member(url)))
    return r
  }
}

/** Syncs `feeds` from scratch into a bundle at `out`. */
export async function exportBundle(
  feeds: FeedRecord[],
  out: string,
  opts: { policy: HttpPolicy; tempDir: string; signal?: AbortSignal },
): Promise<BundleFeed[]> {
  const stage = await mkdtemp(join(opts.tempDir, 'bundle-'))
  try {
    await mkdir(join(stage, 'files'))
    const files: Record<string, string> = {}
    const done: BundleFeed[] = []
    for (const f of feeds) {
      const sync = SYNCS[f.kind]
      if (!sync) continue
      const signal = opts.signal ?? new AbortController().signal
      const fetcher = new RecordingFetcher(new FeedHttp(opts.policy, signal), stage, files)
      const state: FeedState = { id: f.id, validators: {}, errors: 0 }
      const ctx: SyncContext = {
        feed: f,
        state,
        fetcher,
        signal,
        tempDir: opts.tempDir,
        tally: { added: 0, updated: 0, unchanged: 0 },
        // Checked against a throwaway index: the bundle says what the exporter saw.
        importTexts: (texts) => importTexts(texts),
        progress: () => {},
      }
      let error: string | undefined
      try {
        await sync(ctx)
      } catch (err) {
        error = (err as Error).message
      }
      const refused = Object.entries(state.docs ?? {}).flatMap(([url, d]) =>
        d.refused ? [{ url, reason: d.refused }] : [],
      )
      done.push({
        kind: f.kind,
        name: f.name,
        url: f.url,
        ...(f.ecosystems ? { ecosystems: f.ecosystems } : {}),
        ...(f.providers ? { providers: f.providers } : {}),
        intervalMinutes: f.intervalMinutes,
        result: {
          at: new Date().toISOString(),
          ok: error === undefined,
          ...ctx.tally,
          refused,
          ...(error !== undefined ? { error } : {}),
          requests: fetcher.requests,
          bytes: fetcher.bytes,
        },
      })
    }
    const manifest: Manifest = {
      format: 'vigil-feeds-bundle',
      version: 1,
      createdAt: new Date().toISOString(),
      feeds: done,
      files,
    }
    const zip = new yazl.ZipFile()
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 1)), BUNDLE_MANIFEST)
    for (const member of Object.values(files)) zip.addFile(join(stage, member), member)
    zip.end()
    await pipeline(zip.outputStream, createWriteStream(out))
    return done
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}

/** Answers a sync's requests from a bundle: what it recorded is 200, anything else 404. */
export class BundleFetcher implements Fetcher {
  readonly replay = true
  requests = 0
  bytes = 0

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    readonly manifest: Manifest,
  ) {}

  static async open(file: string): Promise<BundleFetcher> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
    )
    const entries = new Map<string, yauzl.Entry>()
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e)
        zip.readEntry()
      })
      zip.on('end', resolve)
      zip.on('error', reject)
      zip.readEntry()
    })
    const head = entries.get(BUNDLE_MANIFEST)
    if (!head) {
      zip.close()
      throw new Error(`not a feeds bundle: no ${BUNDLE_MANIFEST}`)
    }
    const manifest = JSON.parse((await readEntry(zip, head)).toString('utf8')) as Manifest
    if (manifest.format !== 'vigil-feeds-bundle' || manifest.version !== 1) {
      zip.close()
      throw new Error('not a feeds bundle of version 1')
    }
    return new BundleFetcher(zip, entries, manifest)
  }

  #entry(url: string): yauzl.Entry | undefined {
    const member = this.manifest.files[url]
    return member ? this.entries.get(member) : undefined
  }

  async get(url: string): Promise<Fetched> {
    this.requests++
    const e = this.#entry(url)
    if (!e) return { status: 404 }
    const body = await readEntry(this.zip, e)
    this.bytes += body.length
    return { status: 200, body, validator: {} }
  }

  async download(url: string, file: string): Promise<Fetched> {
    this.requests++
    const e = this.#entry(url)
    if (!e) return { status: 404 }
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      this.zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s))),
    )
    await pipeline(stream, createWriteStream(file))
    this.bytes += e.uncompressedSize
    return { status: 200, body: Buffer.alloc(0), validator: {} }
  }

  close(): void {
    this.zip.close()
  }
}
