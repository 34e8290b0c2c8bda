/**
 * What the hub keeps about its feeds: the feed records an admin edits, and each feed's sync state
 * (cursors, conditional-request validators, pinned keys, refused documents). The one storage file of
 * the feeds feature: everything else reaches it through `FeedDb`.
 *
 *   <dataDir>/feeds/feeds.json        FeedRecord
 *   <dataDir>/feeds/feed-state.json   FeedState
 */
import { join } from 'node:path'
import type { FeedKind, FeedSyncResult } from '@vigil/protocol'
import { ShardedCollection } from '../store/collection.js'

export const FEEDS_SCHEMA = 1

export interface FeedRecord {
  id: string
  kind: FeedKind
  name: string
  url: string
  enabled: boolean
  intervalMinutes: number
  ecosystems?: string[]
  /** csaf-aggregator: the picked provider-metadata URLs (a provider's or a mirror's). */
  providers?: string[]
  preset: boolean
  createdAt: string
}

/** A conditional-request validator for one URL. */
export interface Validator {
  etag?: string
  lastModified?: string
}

/** One fetched document of a feed, as last seen: what it was, so an unchanged one is not fetched again. */
export interface DocState {
  /** The change stamp the listing gave (changes.csv time, ROLIE `updated`, OSV `modified`). */
  stamp: string
  /** Refusal reason while the document is refused (listed until its stamp changes). */
  refused?: string
  /** The listing's stamp of a document that could not be fetched (its `stamp` is then `retry`). */
  listed?: string
}

export interface FeedState {
  /** The feed id. */
  id: string
  /** URL → validator (provider metadata, change lists, catalogs). */
  validators: Record<string, Validator>
  /** csaf-provider: the resolved provider-metadata.json (after discovery from a domain). */
  metadataUrl?: string
  /** csaf-provider: the provider metadata as last fetched (its validator answers 304 next time). */
  metadata?: string
  /** csaf-provider: the keys pinned at first use, fingerprint (upper-case hex) → armored public key. */
  pinnedKeys?: Record<string, string>
  /** csaf-provider: document URL → state. */
  docs?: Record<string, DocState>
  /** osv: ecosystem → newest `modified` seen; absent until the first full sync succeeded. */
  osvCursor?: Record<string, string>
  /** csaf-aggregator: the providers listed at the last sync, and each picked provider's own state. */
  available?: { name: string; url: string; mirrors: string[] }[]
  providers?: Record<string, FeedState>
  lastSync?: FeedSyncResult
  lastSuccessAt?: string
  /** Since when the feed has failed without a success in between. */
  failingSince?: string
  errors: number
}

export class FeedDb {
  readonly feeds: ShardedCollection<FeedRecord>
  readonly state: ShardedCollection<FeedState>
  #flushing: Promise<void> = Promise.resolve()

  constructor(dataDir: string) {
    const dir = join(dataDir, 'feeds')
    this.feeds = new ShardedCollection<FeedRecord>(dir, 'feeds', 1, FEEDS_SCHEMA)
    this.state = new ShardedCollection<FeedState>(dir, 'feed-state', 1, FEEDS_SCHEMA)
  }

  /** Loads both files; true when the hub never wrote its feeds file (a fresh hub). */
  async load(): Promise<boolean> {
    const version = await this.feeds.load()
    await this.state.load()
    return version === 0
  }

  /** Writes now if anything changed; flushes never overlap. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing
      .catch(() => {})
      .then(async () => {
        if (this.feeds.isDirty) await this.feeds.flush()
        if (this.state.isDirty) await this.state.flush()
      })
    return this.#flushing
  }

  stateOf(id: string): FeedState {
    return this.state.get(id) ?? { id, validators: {}, errors: 0 }
  }

  remove(id: string): boolean {
    this.state.delete(id)
    return this.feeds.delete(id)
  }
}
