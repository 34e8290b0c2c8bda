/**
 * The feeds of one hub: records an admin edits, a scheduler that syncs each enabled feed every
 * `intervalMinutes`, and the sync itself (one per feed at a time; one feed's failure never touches
 * another). A sync works on a copy of the feed's state and commits it when it ends — unless the feed
 * was removed meanwhile, when the sync is aborted and its state dropped.
 */
import { randomUUID } from 'node:crypto'
import type {
  AdvisoryStatus,
  BundleResult,
  FeedCreate,
  FeedKind,
  FeedPatch,
  FeedProgress,
  FeedSyncResult,
  FeedView,
} from '@vigil/protocol'
import type { ImportSummary, ImportText } from '../risk/advisories/index.js'
import { syncCsafAggregator } from './aggregator.js'
import { BundleFetcher, exportBundle } from './bundle.js'
import { syncEpss, syncKev } from './catalogs.js'
import { syncCsafProvider } from './csaf.js'
import type { FeedDb, FeedRecord, FeedState } from './db.js'
import { DEFAULT_HTTP_POLICY, FeedHttp, type HttpPolicy } from './http.js'
import { syncOsv } from './osv.js'
import { PRESETS } from './presets.js'
import type { Fetcher, SyncContext } from './sync-context.js'

export interface AdvisoryIntake {
  importTexts(texts: ImportText[]): Promise<ImportSummary>
  readonly advisoryCount: number
}

export interface FeedServiceOptions {
  db: FeedDb
  intake: AdvisoryIntake
  tempDir: string
  http?: Partial<HttpPolicy>
  /** How often the scheduler looks for due feeds. */
  tickMs?: number
  /** Whether this hub runs the scheduler now (one hub of a cluster: jobs/ feeds.sync; default yes). */
  leader?: () => boolean
  onError?: (err: unknown) => void
  now?: () => number
}

const SYNCS: Record<FeedKind, (ctx: SyncContext) => Promise<void>> = {
  'csaf-provider': syncCsafProvider,
  osv: syncOsv,
  kev: syncKev,
  epss: syncEpss,
  'csaf-aggregator': syncCsafAggregator,
}

const DAY_MS = 24 * 3600 * 1000

interface Running {
  abort: AbortController
  progress: FeedProgress
  done: Promise<FeedSyncResult>
}

export class FeedService {
  readonly #running = new Map<string, Running>()
  #timer: NodeJS.Timeout | undefined
  readonly #policy: HttpPolicy
  readonly #now: () => number

  constructor(private readonly o: FeedServiceOptions) {
    this.#policy = { ...DEFAULT_HTTP_POLICY, ...o.http }
    this.#now = o.now ?? Date.now
  }

  /** Seeds the presets on a fresh hub (never again once the feeds file exists: a deleted preset stays deleted). */
  seedPresets(fresh: boolean): void {
    if (!fresh) return
    const createdAt = new Date(this.#now()).toISOString()
    for (const p of PRESETS) this.o.db.feeds.put({ ...p, enabled: false, preset: true, createdAt })
  }

  start(): void {
    this.#timer = setInterval(() => this.tick(), this.o.tickMs ?? 30_000)
    this.#timer.unref()
  }

  /** Starts every due feed's sync (not awaited: each runs on its own). */
  tick(): string[] {
    if (this.o.leader && !this.o.leader()) return []
    const now = this.#now()
    const started: string[] = []
    for (const f of this.o.db.feeds.values()) {
      const next = this.nextSyncAt(f)
      if (next !== null && Date.parse(next) <= now && !this.#running.has(f.id)) {
        this.startSync(f.id).catch(() => {}) // reported by startSync
        started.push(f.id)
      }
    }
    return started
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    for (const r of this.#running.values()) r.abort.abort(new Error('the hub is stopping'))
    await Promise.allSettled([...this.#running.values()].map((r) => r.done))
    await this.o.db.flush()
  }

  get(id: string): FeedRecord | undefined {
    return this.o.db.feeds.get(id)
  }

  nextSyncAt(f: FeedRecord): string | null {
    if (!f.enabled) return null
    const last = this.o.db.state.get(f.id)?.lastSync
    if (last === undefined) return f.createdAt
    return new Date(Date.parse(last.at) + f.intervalMinutes * 60_000).toISOString()
  }

  view(f: FeedRecord): FeedView {
    const s = this.o.db.state.get(f.id)
    const running = this.#running.get(f.id)
    return {
      id: f.id,
      kind: f.kind,
      name: f.name,
      url: f.url,
      enabled: f.enabled,
      intervalMinutes: f.intervalMinutes,
      ...(f.ecosystems ? { ecosystems: f.ecosystems } : {}),
      ...(f.providers ? { providers: f.providers } : {}),
      ...(s?.available ? { available: s.available } : {}),
      preset: f.preset,
      createdAt: f.createdAt,
      ...(s?.lastSync ? { lastSync: { ...s.lastSync, refused: refusals(s) } } : {}),
      ...(s?.lastSuccessAt ? { lastSuccessAt: s.lastSuccessAt } : {}),
      nextSyncAt: this.nextSyncAt(f),
      ...(running ? { running: { ...running.progress } } : {}),
      ...(pinned(s).length > 0 ? { pinnedKeys: pinned(s) } : {}),
    }
  }

  list(): FeedView[] {
    return this.o.db.feeds
      .values()
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name))
      .map((f) => this.view(f))
  }

  create(input: FeedCreate): FeedRecord {
    const f: FeedRecord = {
      id: randomUUID(),
      kind: input.kind,
      name: input.name ?? `${input.kind} ${new URL(input.url).host}`,
      url: input.url,
      enabled: input.enabled ?? true,
      intervalMinutes: input.intervalMinutes ?? (input.kind === 'epss' || input.kind === 'kev' ? 720 : 60),
      ...(input.ecosystems ? { ecosystems: input.ecosystems } : {}),
      ...(input.providers ? { providers: input.providers } : {}),
      preset: false,
      createdAt: new Date(this.#now()).toISOString(),
    }
    this.o.db.feeds.put(f)
    void this.o.db.flush().catch(this.o.onError)
    return f
  }

  update(id: string, patch: FeedPatch): FeedRecord | undefined {
    const f = this.o.db.feeds.get(id)
    if (!f) return undefined
    const next: FeedRecord = { ...f, ...patch }
    if (patch.url !== undefined && patch.url !== f.url) {
      // Another source: its cursors, validators and pinned keys start over.
      this.#running.get(id)?.abort.abort(new Error('the feed URL changed'))
      this.o.db.state.delete(id)
    }
    this.o.db.feeds.put(next)
    void this.o.db.flush().catch(this.o.onError)
    return next
  }

  /** Removes a feed; a sync under way is aborted and its state is not written. */
  remove(id: string): boolean {
    this.#running.get(id)?.abort.abort(new Error('the feed was removed'))
    const removed = this.o.db.remove(id)
    void this.o.db.flush().catch(this.o.onError)
    return removed
  }

  isRunning(id: string): boolean {
    return this.#running.has(id)
  }

  /** Starts a sync now (or joins the one under way). */
  /**
   * The result of the sync running now for this feed, or (when it has just finished) of the last one:
   * what a caller that started a sync through the API waits for.
   */
  async joinSync(id: string): Promise<FeedSyncResult | undefined> {
    const running = this.#running.get(id)
    if (running) return running.done
    return this.o.db.state.get(id)?.lastSync
  }

  startSync(id: string, fetcher?: Fetcher): Promise<FeedSyncResult> {
    const held = this.#running.get(id)
    if (held) return held.done
    const f = this.o.db.feeds.get(id)
    if (!f) return Promise.reject(new Error(`no feed ${id}`))
    const abort = new AbortController()
    const entry: Running = {
      abort,
      progress: { phase: 'starting', done: 0 },
      done: Promise.resolve() as never,
    }
    this.#running.set(id, entry)
    entry.done = this.#run(f, entry, fetcher).finally(() => this.#running.delete(id))
    entry.done.catch((err) => this.o.onError?.(err))
    return entry.done
  }

  async #run(f: FeedRecord, entry: Running, fetcher?: Fetcher): Promise<FeedSyncResult> {
    const state: FeedState = structuredClone(this.o.db.stateOf(f.id))
    const http = fetcher ?? new FeedHttp(this.#policy, entry.abort.signal)
    const ctx: SyncContext = {
      feed: f,
      state,
      fetcher: http,
      signal: entry.abort.signal,
      tempDir: this.o.tempDir,
      tally: { added: 0, updated: 0, unchanged: 0 },
      importTexts: (texts) => this.o.intake.importTexts(texts),
      progress: (phase, done, total) => {
        entry.progress = total === undefined ? { phase, done } : { phase, done, total }
      },
    }
    let error: string | undefined
    try {
      await SYNCS[f.kind](ctx)
    } catch (err) {
      error = (err as Error).message ?? String(err)
    }
    const at = new Date(this.#now()).toISOString()
    const result: FeedSyncResult = {
      at,
      ok: error === undefined,
      ...ctx.tally,
      refused: refusals(state),
      ...(error !== undefined ? { error } : {}),
      requests: http.requests,
      bytes: http.bytes,
    }
    // Removed (or re-pointed) meanwhile: nothing of this sync is kept.
    const current = this.o.db.feeds.get(f.id)
    if (!current || current.url !== f.url) return result
    state.lastSync = result
    if (result.ok) {
      state.lastSuccessAt = at
      delete state.failingSince
    } else {
      state.errors++
      state.failingSince ??= at
    }
    this.o.db.state.put(state)
    await this.o.db.flush()
    return result
  }

  /** What posture pages say when the hub's advisories cannot be trusted to be complete. */
  status(): AdvisoryStatus {
    const now = this.#now()
    const feeds = this.o.db.feeds.values()
    const enabled = feeds.filter((f) => f.enabled)
    const failing = enabled.flatMap((f) => {
      const s = this.o.db.state.get(f.id)
      const since = s?.failingSince
      return since !== undefined && now - Date.parse(since) > DAY_MS
        ? [{ id: f.id, name: f.name, since }]
        : []
    })
    const advisories = this.o.intake.advisoryCount
    let notice: string | null = null
    if (advisories === 0)
      notice =
        enabled.length === 0
          ? 'This hub holds no advisories, so no finding can be shown: enable a feed (Feeds page) or import advisories.'
          : 'This hub holds no advisories yet, so no finding can be shown: its feeds have not delivered any.'
    else if (failing.length > 0)
      notice = `Advisories may be out of date: ${failing.map((f) => f.name).join(', ')} failing since ${
        failing.map((f) => f.since.slice(0, 10)).sort()[0]
      }.`
    return { advisories, feeds: feeds.length, enabledFeeds: enabled.length, failing, notice }
  }

  /** Writes an offline bundle of the given feeds (default: the enabled ones), synced from scratch. */
  exportBundle(out: string, ids?: string[]) {
    const feeds = this.o.db.feeds.values().filter((f) => (ids ? ids.includes(f.id) : f.enabled))
    return exportBundle(feeds, out, { policy: this.#policy, tempDir: this.o.tempDir })
  }

  /**
   * Applies a bundle feed by feed: a feed of the same kind and URL is synced from it (one that does
   * not exist yet is created, disabled: an air-gapped hub must not try the network). Signatures and
   * hashes are checked again; the feed's cursors decide what is new.
   */
  async applyBundle(file: string): Promise<BundleResult> {
    const fetcher = await BundleFetcher.open(file)
    const out: BundleResult['feeds'] = []
    try {
      for (const bf of fetcher.manifest.feeds) {
        let local = this.o.db.feeds.values().find((f) => f.kind === bf.kind && f.url === bf.url)
        const created = local === undefined
        local ??= this.create({
          kind: bf.kind,
          url: bf.url,
          name: bf.name,
          enabled: false,
          intervalMinutes: bf.intervalMinutes,
          ...(bf.ecosystems ? { ecosystems: bf.ecosystems } : {}),
          ...(bf.providers ? { providers: bf.providers } : {}),
        })
        // A network sync under way finishes first; the bundle is applied after it.
        await this.#running.get(local.id)?.done.catch(() => {})
        fetcher.requests = 0
        fetcher.bytes = 0
        const result = await this.startSync(local.id, fetcher)
        out.push({ id: local.id, name: local.name, kind: local.kind, created, result })
      }
    } finally {
      fetcher.close()
    }
    return { feeds: out }
  }

  stateOf(id: string): FeedState | undefined {
    return this.o.db.state.get(id)
  }
}

/** Every refused document of the feed (an aggregator's: of each picked provider too). */
function refusals(s: FeedState): { url: string; reason: string }[] {
  return [s, ...Object.values(s.providers ?? {})].flatMap((x) =>
    Object.entries(x.docs ?? {}).flatMap(([url, d]) => (d.refused ? [{ url, reason: d.refused }] : [])),
  )
}

function pinned(s: FeedState | undefined): string[] {
  if (!s) return []
  return [s, ...Object.values(s.providers ?? {})].flatMap((x) => Object.keys(x.pinnedKeys ?? {}))
}
