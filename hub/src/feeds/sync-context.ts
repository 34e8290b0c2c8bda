/**
 * What one feed sync works with: the feed, its mutable state (committed by the service), a fetcher,
 * the hub's advisory intake, and the tallies of the result.
 */
import type { ImportSummary, ImportText } from '../risk/advisories/index.js'
import type { DocState, FeedRecord, FeedState } from './db.js'
import type { Fetched, GetOptions } from './http.js'

/** Where a sync reads from: the network (`FeedHttp`) or an offline bundle. */
export interface Fetcher {
  /** True when replaying an offline bundle: OSV then applies the whole zip (no change list in a bundle). */
  readonly replay?: boolean
  requests: number
  bytes: number
  get(url: string, opts?: GetOptions): Promise<Fetched>
  download(url: string, file: string, opts?: GetOptions): Promise<Fetched>
}

export interface Tally {
  added: number
  updated: number
  unchanged: number
}

export interface SyncContext {
  feed: FeedRecord
  state: FeedState
  fetcher: Fetcher
  signal: AbortSignal
  tempDir: string
  tally: Tally
  /** Documents into the hub's advisory database and correlation (serialised with every other import). */
  importTexts(texts: ImportText[]): Promise<ImportSummary>
  progress(phase: string, done: number, total?: number): void
}

/** OSV records / documents imported per chunk: the event loop is yielded between chunks. */
export const IMPORT_CHUNK = 250

/** Counts an import summary into the tally; answers the refusals by file name. */
export function count(tally: Tally, s: ImportSummary): Map<string, string> {
  tally.added += s.imported.length
  tally.updated += s.updated.length
  tally.unchanged += s.skipped.length
  const refused = new Map<string, string>()
  for (const r of s.rejected) refused.set(r.file, r.reason)
  return refused
}

export function yieldLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The feed's per-document state, created on first use. */
export function docsOf(state: FeedState): Record<string, DocState> {
  if (state.docs === undefined) state.docs = {}
  return state.docs
}
