/**
 * The PostgreSQL engine (`VIGIL_DATABASE_URL=postgres://…`): the same `Store` as the embedded engine,
 * kept in PostgreSQL (store README, "The PostgreSQL engine").
 *
 * - Collections are loaded at open and kept in memory; reads are synchronous.
 * - A write changes memory and queues a row; `commit()` joins the next group-commit round, and a round
 *   is ONE statement (one round-trip, one transaction) carrying everything queued (`pg-writer.ts`).
 * - Schema: numbered SQL files applied at open under an advisory lock (`schema.ts`).
 * - Failures are coded: disk full (SQLSTATE 53100) is STORAGE_FULL, a lost connection or any other
 *   failure STORAGE_FAILED; `health()` says why, and the committer retries every second until the
 *   database takes the queued rows, so the hub recovers by itself.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { HardeningReport, Inventory } from '@vigil/protocol'
import pg from 'pg'
import type { Expected } from '../conditional.js'
import { StorageError } from '../errors.js'
import { GroupCommit } from '../group-commit.js'
import { migrate, type RawCollections, SCHEMA_VERSION } from '../migrations.js'
import {
  type AuditEntry,
  type Collection,
  type CollectionOptions,
  type DeviceEventRecord,
  type DeviceRecord,
  type DocStore,
  deviceEventKey,
  type EnrollmentTokenRecord,
  type LogOptions,
  type RemoteChange,
  type SessionRecord,
  type Store,
  type StoreHealth,
  type StoreStats,
  type UserRecord,
} from '../types.js'
import { ChangeFeed } from './pg-changes.js'
import { writeIfPg } from './pg-conditional.js'
import { PgCollection, PgDocs, PgLog } from './pg-parts.js'
import { pruneLogs, type Retention } from './pg-retention.js'
import { type Guard, PgWriter, pgStorageError } from './pg-writer.js'
import { applyMigrations, readMigrations } from './schema.js'

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database (libpq's sslmode parameters are understood). */
  url: string
  /** Connections in the pool (default 10). */
  poolSize?: number
  /** TLS: a CA file to verify the server with, and whether an unverified server is refused (default). */
  sslCaFile?: string
  sslRejectUnauthorized?: boolean
  /** Group-commit window: at most one round (one transaction) per window (default 10 ms). */
  commitWindowMs?: number
  onCommit?: (info: { ms: number; waiters: number }) => void
  onError?: (err: unknown) => void
  /**
   * While no round ran for this long, an empty round checks the database (default 5 s), so an idle
   * hub's `/readyz` also says when the database is gone.
   */
  probeIntervalMs?: number
  /** Retention of the audit log (as the embedded engine: segments of this many bytes; default all). */
  auditMaxSegments?: number
  auditSegmentBytes?: number
  /** A `pg.Client` subclass for the pool (tests count round-trips with it). */
  client?: typeof pg.Client
  /** This hub's id among the hubs sharing the database (default: random per process). */
  hubId?: string
  /** The change feed reads other hubs' changes at least this often (default 2 s; see pg-changes.ts). */
  changePollMs?: number
}

/** The guard of a conditional put (`CollectionOptions.conditionalPuts`): the version alone decides. */
const NO_SEQUENCE: Guard = { epoch: null, last: null, kinds: null }

export class PgStore implements Store {
  readonly users: PgCollection<UserRecord>
  readonly sessions: PgCollection<SessionRecord>
  readonly tokens: PgCollection<EnrollmentTokenRecord>
  readonly devices: PgCollection<DeviceRecord>
  readonly inventories: PgDocs<Inventory>
  readonly hardening: PgDocs<HardeningReport>
  readonly audit: PgLog<AuditEntry>
  readonly events: PgLog<DeviceEventRecord>
  readonly pool: pg.Pool
  private readonly writer: PgWriter
  private readonly committer: GroupCommit
  private readonly collections = new Map<string, PgCollection<{ id: string }>>()
  private readonly loading = new Map<string, Promise<unknown>>()
  private readonly logs = new Map<string, PgLog<unknown>>()
  private readonly docStores = new Map<string, PgDocs<unknown>>()
  /** Logs with a retention (`pg-retention.ts`: pruned by the `store.retention` job). */
  private readonly retention = new Map<string, Retention>()
  /** Other hubs' committed changes (`pg-changes.ts`). */
  readonly feed: ChangeFeed
  private readonly watchers = new Set<(change: RemoteChange) => void>()
  private closed = false
  private probeTimer: NodeJS.Timeout | undefined
  private lastRound = performance.now()
  private readonly statistics: StoreStats = {
    lastFlushMs: 0,
    lastFlushBytes: 0,
    flushes: 0,
    commitRounds: 0,
    commits: 0,
    errors: 0,
  }

  private constructor(opts: PgStoreOptions) {
    const hubId = opts.hubId ?? randomUUID()
    const connection: pg.ClientConfig = {
      connectionString: opts.url,
      connectionTimeoutMillis: 10_000,
      // A round that hangs (a server that stopped answering) fails and is retried, not waited on forever.
      query_timeout: 60_000,
      application_name: 'vigil-hub',
      // Every write of this hub's connections is stamped with its id (the change feed skips its own).
      options: `-c vigil.hub=${hubId}`,
      ...(opts.sslCaFile !== undefined || opts.sslRejectUnauthorized !== undefined
        ? {
            ssl: {
              ...(opts.sslCaFile !== undefined ? { ca: readFileSync(opts.sslCaFile, 'utf8') } : {}),
              rejectUnauthorized: opts.sslRejectUnauthorized ?? true,
            },
          }
        : {}),
    }
    this.pool = new pg.Pool({
      ...connection,
      max: opts.poolSize ?? 10,
      ...(opts.client ? { Client: opts.client } : {}),
    })
    // An idle connection that the server closed (restart, failover) is dropped by the pool; the next
    // query opens a new one. Without a listener the error would end the process.
    this.pool.on('error', (err) => opts.onError?.(pgStorageError(err)))
    this.writer = new PgWriter(this.pool, hubId)
    this.committer = new GroupCommit({
      windowMs: opts.commitWindowMs ?? 10,
      onRound: ({ ms, waiters }) => {
        this.lastRound = performance.now()
        this.statistics.commitRounds++
        this.statistics.commits += waiters
        opts.onCommit?.({ ms, waiters })
      },
      onError: (err) => {
        this.statistics.errors++
        opts.onError?.(err)
      },
    })
    this.committer.add(this.writer)
    this.feed = new ChangeFeed({
      connection,
      pool: this.pool,
      hubId,
      writer: this.writer,
      collections: () => {
        const loaded = new Map(this.collections)
        for (const name of this.loading.keys()) loaded.delete(name)
        return loaded
      },
      documents: () => {
        const out = new Map<string, PgDocs<unknown>>()
        for (const d of [this.inventories, this.hardening, ...this.docStores.values()] as PgDocs<unknown>[])
          if (!this.loading.has(`docs:${d.name}`)) out.set(d.feedName, d)
        return out
      },
      onDocument: (change) => {
        for (const w of this.watchers) w(change)
      },
      ...(opts.changePollMs !== undefined ? { pollMs: opts.changePollMs } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
    })
    this.users = this.newCollection('users')
    this.sessions = this.newCollection('sessions')
    this.tokens = this.newCollection('tokens')
    // A device's record carries its applied per-device sequence (per message kind): the round refuses a
    // write of it over a row that applied a newer message of a kind (pg-writer.ts), and device events are stored once per (device, epoch, seq).
    this.devices = this.newCollection('devices', (d) => ({
      epoch: d.seq?.epoch ?? null,
      last: d.seq?.last ?? null,
      kinds: d.seq?.kinds ? JSON.stringify(d.seq.kinds) : null,
    }))
    this.inventories = this.newDocs('blob', 'inventories')
    this.hardening = this.newDocs('blob', 'hardening')
    this.audit = this.newLog('audit')
    this.events = this.newLog('events', deviceEventKey)
    if (opts.auditMaxSegments !== undefined)
      this.retention.set('audit', {
        maxSegments: opts.auditMaxSegments,
        ...(opts.auditSegmentBytes !== undefined ? { maxSegmentBytes: opts.auditSegmentBytes } : {}),
      })
    this.retention.set('events', { maxSegments: 32 })
  }

  /** Deletes the log rows beyond each log's retention (the embedded engine's rule: `pg-retention.ts`). */
  pruneLogs(): Promise<Record<string, number>> {
    return pruneLogs(this.pool, this.retention)
  }

  static async open(opts: PgStoreOptions): Promise<PgStore> {
    const store = new PgStore(opts)
    try {
      await store.load()
    } catch (err) {
      await store.pool.end().catch(() => undefined)
      throw err instanceof StorageError ? err : pgStorageError(err)
    }
    try {
      await store.feed.start()
    } catch (err) {
      await store.close().catch(() => undefined)
      throw err instanceof StorageError ? err : pgStorageError(err)
    }
    const every = opts.probeIntervalMs ?? 5000
    store.probeTimer = setInterval(() => {
      if (performance.now() - store.lastRound < every || !store.health().ok) return
      store.writer.probe()
      store.commit().catch(() => undefined)
    }, every)
    store.probeTimer.unref()
    return store
  }

  private newCollection<T extends { id: string }>(
    name: string,
    guard?: (record: T) => Guard,
  ): PgCollection<T> {
    const c = new PgCollection<T>(name, this.writer, guard, (change) => {
      for (const w of this.watchers) w(change)
    })
    this.collections.set(name, c as unknown as PgCollection<{ id: string }>)
    return c
  }

  private newLog<T>(name: string, dedup?: (entry: T) => string | undefined): PgLog<T> {
    const log = new PgLog<T>(name, this.pool, this.writer, dedup)
    this.logs.set(name, log as PgLog<unknown>)
    return log
  }

  private newDocs<T>(kind: 'blob' | 'doc', name: string): PgDocs<T> {
    const d = new PgDocs<T>(kind, name, this.pool, this.writer, () => this.commit())
    if (kind === 'doc') this.docStores.set(name, d as PgDocs<unknown>)
    return d
  }

  private async load(): Promise<void> {
    const client = await this.pool.connect()
    try {
      await applyMigrations(client, await readMigrations())
    } finally {
      client.release()
    }
    await this.feed.begin()
    for (const c of [this.users, this.sessions, this.tokens, this.devices]) await c.load(this.pool)
    await this.inventories.load()
    await this.hardening.load()
    const { rows: seqs } = await this.pool.query<{ log: string; seq: string }>(
      'SELECT log, max(seq)::text AS seq FROM vigil_logs GROUP BY log',
    )
    for (const r of seqs) this.writer.lastSeq.set(r.log, BigInt(r.seq))
    await this.migrateRecords()
  }

  /** The record schema (store/migrations.ts), as the embedded engine keeps it in meta.json. */
  private async migrateRecords(): Promise<void> {
    const { rows } = await this.pool.query<{ value: string }>(
      "SELECT value FROM vigil_meta WHERE key = 'record_schema'",
    )
    const empty = [this.users, this.sessions, this.tokens, this.devices].every((c) => c.size === 0)
    const from = rows[0] ? Number(rows[0].value) : empty ? SCHEMA_VERSION : 0
    if (from !== SCHEMA_VERSION) {
      const raw: RawCollections = {
        users: this.users.values() as unknown as Record<string, unknown>[],
        sessions: this.sessions.values() as unknown as Record<string, unknown>[],
        tokens: this.tokens.values() as unknown as Record<string, unknown>[],
        devices: this.devices.values() as unknown as Record<string, unknown>[],
      }
      migrate(raw, from)
      const all = [this.users, this.sessions, this.tokens, this.devices] as unknown as PgCollection<{
        id: string
      }>[]
      for (const c of all) for (const r of c.values()) c.put(r)
    }
    if (rows[0]?.value !== String(SCHEMA_VERSION)) {
      await this.commit()
      await this.pool.query(
        `INSERT INTO vigil_meta (key, value) VALUES ('record_schema', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(SCHEMA_VERSION)],
      )
    }
  }

  async collection<T extends { id: string }>(name: string, opts: CollectionOptions = {}) {
    const held = this.collections.get(name)
    if (held) {
      await this.loading.get(name)
      return held as unknown as PgCollection<T>
    }
    // Conditional puts are the guarded puts of devices without a message sequence: the stored version
    // alone decides (pg-writer.ts).
    const c = this.newCollection<T>(name, opts.conditionalPuts ? () => NO_SEQUENCE : undefined)
    const loading = c.load(this.pool)
    this.loading.set(name, loading)
    try {
      await loading
    } catch (err) {
      this.collections.delete(name)
      throw pgStorageError(err)
    } finally {
      this.loading.delete(name)
    }
    return c
  }

  async log<T>(name: string, opts: LogOptions = {}) {
    if (opts.maxSegments !== undefined)
      this.retention.set(name, {
        maxSegments: opts.maxSegments,
        ...(opts.maxSegmentBytes !== undefined ? { maxSegmentBytes: opts.maxSegmentBytes } : {}),
      })
    const held = this.logs.get(name)
    if (held) return held as PgLog<T>
    return this.newLog<T>(name)
  }

  async docs<T>(name: string): Promise<DocStore<T>> {
    const held = this.docStores.get(name)
    if (held) {
      await this.loading.get(`docs:${name}`)
      return held as PgDocs<T>
    }
    const d = this.newDocs<T>('doc', name)
    const loading = d.load()
    this.loading.set(`docs:${name}`, loading)
    try {
      await loading
    } catch (err) {
      this.docStores.delete(name)
      throw pgStorageError(err)
    } finally {
      this.loading.delete(`docs:${name}`)
    }
    return d
  }

  watch(listener: (change: RemoteChange) => void): () => void {
    this.watchers.add(listener)
    return () => this.watchers.delete(listener)
  }

  get cluster(): ChangeFeed {
    return this.feed
  }

  get connection(): pg.ClientConfig {
    return this.pool.options
  }

  refusalMark(): number {
    return this.feed.refusalMark()
  }

  refusedSince(collection: string, id: string, mark: number): boolean {
    return this.feed.refusedSince(collection, id, mark)
  }

  /** Names of everything opened so far (migrate, tests). */
  opened(): { collections: string[]; logs: string[]; docs: string[] } {
    return {
      collections: [...this.collections.keys()],
      logs: [...this.logs.keys()],
      docs: [...this.docStores.keys()],
    }
  }

  commit(): Promise<void> {
    return this.committer.commit()
  }

  /** Optimistic concurrency: the database's versions compared in a transaction of its own (`pg-conditional.ts`). */
  async writeIf<R>(collection: Collection<{ id: string }>, expected: Expected[], job: () => R): Promise<R> {
    if (!(collection instanceof PgCollection)) throw new TypeError('writeIf: not a collection of this store')
    // This hub's own queued writes reach the database first: a record it created is not a conflict.
    await this.commit()
    return writeIfPg(this.pool, this.writer, collection, expected, job)
  }

  /** A round is one transaction: what a synchronous `job` queues is committed together or not at all. */
  atomic<T>(job: () => T): T {
    return job()
  }

  health(): StoreHealth {
    return this.committer.health()
  }

  /** Nothing to checkpoint: a commit is already in the tables. */
  async flush(): Promise<void> {
    if (this.writer.hasPending()) await this.commit()
  }

  /** Round-trips the writer made (one per commit round). */
  get roundTrips(): number {
    return this.writer.roundTrips
  }

  stats(): StoreStats {
    return { ...this.statistics }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.probeTimer)
    let failure: unknown
    await this.feed.close()
    await this.committer.close().catch((err) => (failure = err))
    await this.pool.end().catch((err) => (failure ??= err))
    if (failure) throw failure
  }
}
