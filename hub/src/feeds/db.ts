/**
 * What the hub keeps about its feeds: the feed records an admin edits, and each feed's sync state
 * (cursors, conditional-request validators, pinned keys, refused documents). The one storage file of
 * the feeds feature: everything else reaches it through `FeedDb`.
 *
 *   <dataDir>/feeds/feeds.json        FeedRecord
 *   <dataDir>/feeds/feed-state.json   FeedState
 */
import type { FeedKind, FeedSyncResult } from '@vigil/protocol'
import type { Collection, Store } from '../store/types.js'

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

/** A marker record: the presets were offered once (a fresh hub), not again after they were removed. */
const PRESETS_OFFERED = '.presets-offered'

export class FeedDb {
  private constructor(
    private readonly store: Store,
    readonly feeds: Collection<FeedRecord>,
    readonly state: Collection<FeedState>,
  ) {}

  /** Opens the feeds' collections; `fresh` when this hub never had feeds (the presets are offered). */
  static async open(store: Store): Promise<{ db: FeedDb; fresh: boolean }> {
    const opts = { schemaVersion: FEEDS_SCHEMA }
    const db = new FeedDb(
      store,
      await store.collection<FeedRecord>('feeds/feeds', opts),
      await store.collection<FeedState>('feeds/feed-state', opts),
    )
    const fresh = db.state.get(PRESETS_OFFERED) === undefined && db.feeds.size === 0
    if (fresh) db.state.put({ id: PRESETS_OFFERED, validators: {}, errors: 0 })
    return { db, fresh }
  }

  /** Settles once every change so far is durable. */
  flush(): Promise<void> {
    return this.store.commit()
  }

  stateOf(id: string): FeedState {
    return this.state.get(id) ?? { id, validators: {}, errors: 0 }
  }

  remove(id: string): boolean {
    this.state.delete(id)
    return this.feeds.delete(id)
  }
}
