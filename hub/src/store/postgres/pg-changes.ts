/**
 * The change feed between hubs sharing one database (store README, "Several hubs on one database").
 *
 * Every hub keeps the collections in memory; this brings the others' committed writes into it. Triggers
 * (`sql/postgres/002_change_feed.sql`) stamp each written row with its transaction (`txid`) and hub, keep
 * deletions as tombstones and `pg_notify('vigil_changes', hub)` at commit. A dedicated connection
 * LISTENs and, on a notification from another hub, every `pollMs` and after a reconnect, reads the rows
 * it may not have seen: those with `txid >=` the xmin of its previous snapshot (every transaction below
 * it had finished then), so a transaction that commits late is never skipped and a lost notification
 * only delays a change. Rows this hub wrote are skipped; a record with a write of this hub still queued
 * is left alone (that write is newer, or the round refuses it and the record is reloaded).
 */
import pg from 'pg'
import type { ClusterChannel, RemoteChange } from '../types.js'
import type { PgCollection, PgDocs } from './pg-parts.js'
import { type PgWriter, pgStorageError, type Refused } from './pg-writer.js'

export const CHANGES_CHANNEL = 'vigil_changes'

export interface ChangeFeedOptions {
  /** The pool's connection settings (the feed's own connection uses them too). */
  connection: pg.ClientConfig
  pool: pg.Pool
  hubId: string
  writer: PgWriter
  /** The collections loaded so far, by name. */
  collections: () => Map<string, PgCollection<{ id: string }>>
  /** The document stores loaded so far, by `feedName` (`blob:inventories`, `doc:advisory-db` …). */
  documents: () => Map<string, PgDocs<unknown>>
  /** Poll even without a notification (default 2 s). */
  pollMs?: number
  /** Another hub stored (record `{id}`) or deleted a document (`collection` is its `feedName`). */
  onDocument?: (change: RemoteChange) => void
  /** Tombstones older than this are removed (default one day); a feed away longer reloads everything. */
  tombstoneMs?: number
  onError?: (err: unknown) => void
}

interface Row {
  collection: string
  id: string
  doc: string | null
  version: string | null
  txid: string
}

const key = (collection: string, id: string) => `${collection}\u0000${id}`

export class ChangeFeed implements ClusterChannel {
  readonly hubId: string
  private client: pg.Client | undefined
  private connecting: Promise<void> | undefined
  /** The xmin of the last snapshot read: transactions below it had all finished. */
  private horizon = '0'
  /** When the last read succeeded (a feed away longer than the tombstones' life reloads everything). */
  private lastRead = Date.now()
  /** Per record, the transaction whose write memory holds (a row re-read is not applied twice). */
  private readonly applied = new Map<string, string>()
  private reading: Promise<void> | undefined
  private readAgain = false
  private readonly channels = new Map<string, Set<(payload: string) => void>>()
  private timer: NodeJS.Timeout | undefined
  private retry: NodeJS.Timeout | undefined
  private closed = false
  /** Refused puts (`pg-writer.ts`) by record, numbered. */
  private readonly refusals = new Map<string, number>()
  private refusalCount = 0
  /** Reads done (tests wait on it). */
  reads = 0

  constructor(private readonly opts: ChangeFeedOptions) {
    this.hubId = opts.hubId
    opts.writer.onRefused = (refused) => this.reload(refused)
  }

  /** Before the collections load: whatever commits from now on is read by the feed. */
  async begin(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    )
    this.horizon = rows[0]?.xmin ?? '0'
  }

  /** After the collections loaded: listen, read once, then poll. */
  async start(): Promise<void> {
    await this.connect()
    await this.read()
    const every = this.opts.pollMs ?? 2000
    this.timer = setInterval(() => {
      if (!this.client) this.reconnect()
      else this.schedule()
    }, every)
    this.timer.unref()
    const prune = setInterval(() => this.prune(), 3600_000)
    prune.unref()
    this.pruneTimer = prune
  }

  private pruneTimer: NodeJS.Timeout | undefined

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client(this.opts.connection)
      client.on('error', (err) => {
        this.opts.onError?.(pgStorageError(err))
        this.lost(client)
      })
      client.on('end', () => this.lost(client))
      client.on('notification', (msg) => {
        const payload = msg.payload ?? ''
        if (msg.channel === CHANGES_CHANNEL) {
          if (payload !== this.hubId) this.schedule()
          return
        }
        for (const l of this.channels.get(msg.channel) ?? []) l(payload)
      })
      try {
        await client.connect()
        for (const channel of [CHANGES_CHANNEL, ...this.channels.keys()])
          await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      } catch (err) {
        client.end().catch(() => undefined)
        throw err
      }
      if (this.closed) {
        await client.end().catch(() => undefined)
        return
      }
      this.client = client
    })().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return
    this.client = undefined
    client.end().catch(() => undefined)
    this.reconnect()
  }

  /** Reconnects (after a second) and reads what was missed meanwhile. */
  private reconnect(): void {
    if (this.closed || this.retry || this.connecting) return
    this.retry = setTimeout(() => {
      this.retry = undefined
      this.connect()
        .then(() => this.schedule())
        .catch((err) => {
          this.opts.onError?.(pgStorageError(err))
          this.reconnect()
        })
    }, 1000)
    this.retry.unref()
  }

  /** Reads now, or once more after the read running now (a notification may have come meanwhile). */
  schedule(): void {
    if (this.closed) return
    if (this.reading) {
      this.readAgain = true
      return
    }
    this.read().catch((err) => {
      this.opts.onError?.(pgStorageError(err))
      // Not only at the next poll: a failed read is retried a second later.
      setTimeout(() => this.schedule(), 1000).unref()
    })
  }

  /** Reads and applies other hubs' changes committed since the last read; resolves when applied. */
  read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true
      return this.reading
    }
    this.reading = (async () => {
      try {
        do {
          this.readAgain = false
          await this.readOnce()
        } while (this.readAgain && !this.closed)
      } finally {
        this.reading = undefined
      }
    })()
    return this.reading
  }

  private async readOnce(): Promise<void> {
    let collections = this.opts.collections()
    let documents = this.opts.documents()
    let names = [...collections.keys()]
    let docNames = [...documents.keys()]
    const away = Date.now() - this.lastRead > (this.opts.tombstoneMs ?? 86_400_000) / 4
    // One snapshot for the horizon and the rows (REPEATABLE READ), on a pooled connection so that the
    // listening one only listens.
    const client = await this.opts.pool.connect()
    let xmin: string
    let rows: Row[]
    let gone: Row[] = []
    let docs: Row[] = []
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      try {
        const snap = await client.query<{ xmin: string }>(
          'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
        )
        xmin = snap.rows[0]?.xmin ?? this.horizon
        // Which collections and documents this read serves is decided once the snapshot is taken, not
        // before waiting for a connection: a store that finished loading meanwhile (it read the rows
        // committed before its load) must be served by this read, or a change committed after its load
        // and seen by this snapshot would be passed by the horizon and lost (seen under CI load).
        collections = this.opts.collections()
        documents = this.opts.documents()
        names = [...collections.keys()]
        docNames = [...documents.keys()]
        if (away) {
          // Away longer than tombstones are kept: every record, and whatever memory holds that is gone.
          rows = (
            await client.query<Row>(
              `SELECT collection, id, doc, version::text AS version, txid::text AS txid
               FROM vigil_collections WHERE collection = ANY($1::text[])`,
              [names],
            )
          ).rows
        } else {
          rows = (
            await client.query<Row>(
              `SELECT collection, id, doc, version::text AS version, txid::text AS txid
               FROM vigil_collections
               WHERE txid >= $1::xid8 AND collection = ANY($2::text[]) AND hub IS DISTINCT FROM $3`,
              [this.horizon, names, this.hubId],
            )
          ).rows
          // Documents: only that they exist (their content is read when asked for).
          docs = (
            await client.query<Row>(
              `SELECT 'blob:' || kind AS collection, hash AS id, '' AS doc, NULL AS version, txid::text AS txid
               FROM vigil_blobs WHERE txid >= $1::xid8 AND hub IS DISTINCT FROM $2
               UNION ALL
               SELECT 'doc:' || store, key, '', NULL, txid::text
               FROM vigil_docs WHERE txid >= $1::xid8 AND hub IS DISTINCT FROM $2`,
              [this.horizon, this.hubId],
            )
          ).rows
          gone = (
            await client.query<Row>(
              `SELECT collection, id, NULL AS doc, NULL AS version, txid::text AS txid
               FROM vigil_tombstones
               WHERE txid >= $1::xid8 AND collection = ANY($2::text[]) AND hub IS DISTINCT FROM $3`,
              [this.horizon, [...names, ...docNames], this.hubId],
            )
          ).rows
        }
      } finally {
        await client.query('COMMIT').catch(() => undefined)
      }
    } finally {
      client.release()
    }
    if (away) this.resync(collections, rows)
    else {
      for (const row of rows) this.apply(collections, row)
      for (const row of [...docs, ...gone]) {
        const d = documents.get(row.collection)
        if (d) {
          d.applyRemote(row.id, row.doc !== null)
          this.opts.onDocument?.({
            collection: row.collection,
            id: row.id,
            record: row.doc !== null ? { id: row.id } : undefined,
          })
        } else this.apply(collections, row)
      }
    }
    this.horizon = xmin
    this.lastRead = Date.now()
    this.reads++
  }

  private apply(collections: Map<string, PgCollection<{ id: string }>>, row: Row): void {
    const c = collections.get(row.collection)
    const k = key(row.collection, row.id)
    if (!c || this.applied.get(k) === row.txid) return
    // A queued write of this hub is newer … unless the collection is guarded (devices): a write queued
    // on the older copy is refused by the round anyway, and its message applied again to this one.
    if (!this.opts.writer.guarded.has(row.collection) && this.opts.writer.isPending(row.collection, row.id))
      return
    this.applied.set(k, row.txid)
    c.applyRemote(row.id, row.doc ?? undefined, Number(row.version ?? 0))
  }

  /** Every record as stored; what memory holds that is not stored any more is removed. */
  private resync(collections: Map<string, PgCollection<{ id: string }>>, rows: Row[]): void {
    const stored = new Set<string>()
    for (const row of rows) {
      stored.add(key(row.collection, row.id))
      const c = collections.get(row.collection)
      if (c && c.versionOf(row.id) !== Number(row.version)) this.apply(collections, row)
    }
    for (const [name, c] of collections)
      for (const r of c.values())
        if (!stored.has(key(name, r.id)) && !this.opts.writer.isPending(name, r.id))
          c.applyRemote(r.id, undefined, 0)
  }

  /** Puts a round refused: memory takes the stored records (before the round's waiters hear of it). */
  private async reload(refused: Refused): Promise<void> {
    for (const r of refused) this.refusals.set(key(r.collection, r.id), ++this.refusalCount)
    const records = refused.filter((r) => !r.duplicate)
    if (records.length === 0) return
    const { rows } = await this.opts.pool.query<Row>(
      `SELECT c.collection, c.id, c.doc, c.version::text AS version, c.txid::text AS txid
       FROM vigil_collections c JOIN unnest($1::text[], $2::text[]) AS u(collection, id)
         ON c.collection = u.collection AND c.id = u.id`,
      [records.map((r) => r.collection), records.map((r) => r.id)],
    )
    const collections = this.opts.collections()
    // Memory holds the refused write: the stored row is taken even when its transaction was applied
    // before (a write refused by its message sequence alone leaves the row as it was).
    for (const row of rows) {
      this.applied.delete(key(row.collection, row.id))
      this.apply(collections, row)
    }
  }

  refusalMark(): number {
    return this.refusalCount
  }

  refusedSince(collection: string, id: string, mark: number): boolean {
    return (this.refusals.get(key(collection, id)) ?? 0) > mark
  }

  /** Reads now (after the read running, if one is): what committed before the call is then in memory. */
  catchUp(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return this.read()
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.opts.pool.query('SELECT pg_notify($1, $2)', [channel, payload])
  }

  listen(channel: string, listener: (payload: string) => void): () => void {
    let set = this.channels.get(channel)
    if (!set) {
      set = new Set()
      this.channels.set(channel, set)
      this.client
        ?.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
        .catch(() => this.lost(this.client as pg.Client))
    }
    set.add(listener)
    return () => set.delete(listener)
  }

  private prune(): void {
    this.opts.pool
      .query(`DELETE FROM vigil_tombstones WHERE at < now() - make_interval(secs => $1)`, [
        (this.opts.tombstoneMs ?? 86_400_000) / 1000,
      ])
      .catch((err) => this.opts.onError?.(pgStorageError(err)))
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    clearInterval(this.pruneTimer)
    clearTimeout(this.retry)
    await this.connecting?.catch(() => undefined)
    await this.reading?.catch(() => undefined)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }
}
