/**
 * Everything the hub persists, behind one `Store` interface that every feature uses and every engine
 * implements (see README.md for the contract and why reads stay synchronous). A write changes memory
 * at once and is durable when a later `commit()` settles: acknowledge (HTTP 2xx, MQTT PUBACK) only
 * after that.
 */
import type {
  DeviceEvent,
  DeviceIdentity,
  DeviceState,
  HardeningReport,
  Inventory,
  Role,
} from '@vigil/protocol'
import type { ClientConfig } from 'pg'
import type { Expected } from './conditional.js'

export interface UserRecord {
  id: string
  username: string
  role: Role
  passwordHash: string
  createdAt: string
  vendorId?: string
  /** Consecutive failed sign-ins and the lockout they caused. */
  failedLogins?: number
  lockedUntil?: string
}

export interface SessionRecord {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  id: string
  userId: string
  createdAt: string
  expiresAt: string
}

export interface EnrollmentTokenRecord {
  id: string
  /** SHA-256 of the token. */
  tokenHash: string
  uses: number
  used: number
  createdAt: string
  expiresAt: string
  createdBy: string
  revoked: boolean
  note?: string
}

export interface DeviceRecord {
  id: string
  name: string
  /** SHA-256 of the device's 256-bit MQTT secret (a fast hash: thousands reconnect at once). */
  secretHash: string
  disabled: boolean
  enrolledAt: string
  lastSeen: string | null
  online: boolean
  agentVersion?: string
  identity?: DeviceIdentity
  lastState?: Pick<DeviceState, 'status' | 'ts' | 'reason'>
  /** The operator root and delegation versions the device said it holds in its last birth. */
  trust?: DeviceState['trust']
  inventoryHash?: string
  hardeningHash?: string
  baseline?: { id: string; version: number }
  packages?: number
  failingChecks?: number
  cpuPct?: number
  memUsedPct?: number
  telemetryAt?: string
  /** Set when the device was first seen through an external broker rather than enrolled here. */
  external?: boolean
  /**
   * The last applied per-device sequence of the agent's outbox (protocol README): a message whose
   * `seq` is not above it (same epoch) is a duplicate or older and changes nothing.
   */
  seq?: {
    epoch: string
    last: number
    /**
     * The last applied seq of each message kind in this epoch (`state`, `inventory` …): several hubs
     * may finish one device's messages out of order, and the database refuses a write that would put
     * an older message's state over a newer one's of its kind (store README).
     */
    kinds?: Partial<Record<string, number>>
  }
  /** Hub time the last state message was received (ordering uses this, never the device clock). */
  stateAt?: string
  /** Device clock minus hub clock at the last state message, when beyond the skew threshold. */
  clockSkewMs?: number
  /** Second MQTT connections with this device's credentials (taken over or refused), and the last. */
  takeovers?: number
  lastTakeoverAt?: string
}

/**
 * The key a sequenced device event is stored once under (several hubs: `Store.refusedSince('events',
 * key, mark)` says a copy was stored already). Undefined for an event without seq and epoch.
 */
export function deviceEventKey(e: DeviceEventRecord): string | undefined {
  const { seq, epoch } = e.event as { seq?: unknown; epoch?: unknown }
  return typeof seq === 'number' && typeof epoch === 'string' ? `${e.deviceId} ${epoch} ${seq}` : undefined
}

export interface AuditEntry {
  ts: string
  actor: string
  action: string
  target?: string
  ok: boolean
  detail?: string
  ip?: string
}

export interface DeviceEventRecord {
  deviceId: string
  receivedAt: string
  event: DeviceEvent
}

export interface Collection<T extends { id: string }> {
  get(id: string): T | undefined
  values(): T[]
  /**
   * Inserts or replaces. Durable at the next `commit()`. Throws a `StorageError` (UNSERIALIZABLE)
   * before anything changes when the record cannot be stored.
   */
  put(record: T): void
  /**
   * `put` of each record, as one change: the embedded engine journals them as one entry, each field
   * whose value all of them share written once and the others in columns (a new advisory creates
   * thousands of records that differ in a few fields: a third of the bytes, one serialisation).
   * Throws a `StorageError` (UNSERIALIZABLE) before anything changes when one cannot be stored. A
   * record named twice is stored once, the last one.
   */
  putMany(records: readonly T[]): void
  /**
   * Replaces a known record in memory without a journal entry: for derived, fast-changing fields
   * (latest telemetry figures, lastSeen) that are written along with the next real change. Lost to a
   * crash by design.
   */
  putVolatile(record: T): void
  /** Durable at the next `commit()`. */
  delete(id: string): boolean
  readonly size: number
  /**
   * The record's version as this hub knows it (rises with every `put`; `putVolatile` keeps it): what
   * views show and operators send back for optimistic concurrency (`Store.writeIf`).
   */
  versionOf(id: string): number | undefined
}

/** An append-only log (JSON Lines): never rewritten. Appends are durable at the next `commit()`. */
export interface AppendLog<T> {
  /**
   * `dedupKey`: unique within the log (several hubs, PostgreSQL: an entry whose key is stored already is
   * not stored again, `ON CONFLICT DO NOTHING`; the embedded engine has one writer and ignores it).
   */
  append(entry: T, dedupKey?: string): void
  /** Newest first, after skipping `offset`, optionally filtered. */
  read(opts?: { limit?: number; offset?: number; filter?: (entry: T) => boolean }): Promise<T[]>
}

/**
 * Content-addressed documents: identical gateway images share one stored inventory. The caller
 * verifies that `hash` is the content's hash before `put`. `put` resolves once durable.
 */
export interface BlobStore<T> {
  has(hash: string): boolean
  get(hash: string): Promise<T | undefined>
  /**
   * Stores `value` under its (verified) hash: queued at once (`has`/`get` answer it), durable when the
   * promise settles or a later `commit()` does. `text`, if given, is JSON text that `JSON.parse`s to
   * exactly `value` (ingest passes the received payload when nothing was stripped from it): an engine
   * may store it instead of serialising `value` again.
   */
  put(hash: string, value: T, text?: string): Promise<void>
  delete(hash: string): Promise<boolean>
  keys(): string[]
}

/** Documents by key (`[A-Za-z0-9._-]`), replaced whole and durably by `put`. */
export interface DocStore<T> {
  has(key: string): boolean
  get(key: string): Promise<T | undefined>
  put(key: string, value: T): Promise<void>
  delete(key: string): Promise<boolean>
  /** Deletes many keys, durably once resolved (one directory sync, not one per key). */
  deleteMany(keys: string[]): Promise<void>
  keys(): string[]
}

export interface StoreStats {
  /** Last checkpoint (shard files rewritten). */
  lastFlushMs: number
  lastFlushBytes: number
  flushes: number
  /** Group-commit rounds and the commits they carried. */
  commitRounds: number
  commits: number
  /** Storage errors since start (disk full, I/O). */
  errors: number
}

/** A record another hub committed, now in this hub's memory (`record` undefined: deleted). */
export interface RemoteChange {
  collection: string
  id: string
  record: { id: string } | undefined
}

/** Messages between the hubs sharing one database (PostgreSQL LISTEN/NOTIFY). */
export interface ClusterChannel {
  /** This hub's id in the cluster (random per process). */
  readonly hubId: string
  /** Sends `payload` (at most ~7,900 bytes) to every hub listening on `channel`, this one included. */
  notify(channel: string, payload: string): Promise<void>
  listen(channel: string, listener: (payload: string) => void): () => void
  /** Resolves once the changes other hubs committed before the call are in memory (and told). */
  catchUp?(): Promise<void>
}

export type StoreHealth = { ok: true } | { ok: false; code: string; reason: string }

export interface CollectionOptions {
  /** Files the collection is split into (records are hashed to one). */
  shards?: number
  schemaVersion?: number
  /**
   * Several hubs (PostgreSQL): every put is stored only over an OLDER stored version, i.e. when this
   * hub's copy was the latest; otherwise the database keeps what another hub stored, memory takes it,
   * and `refusedSince(name, id, mark)` says so. So a new record (version 1) is created once across the
   * cluster (a put of an id another hub stored already is refused), and an update made from a stale
   * copy is refused (a claim: two hubs claiming one record, one wins). The embedded engine has one
   * writer: every put is stored.
   */
  conditionalPuts?: boolean
}

export interface LogOptions {
  /** Keep at most this many segments (default: all). */
  maxSegments?: number
  /** Begin a new segment once the active one holds this much (default 64 MiB). */
  maxSegmentBytes?: number
}

export interface Store {
  readonly users: Collection<UserRecord>
  readonly sessions: Collection<SessionRecord>
  readonly tokens: Collection<EnrollmentTokenRecord>
  readonly devices: Collection<DeviceRecord>
  readonly inventories: BlobStore<Inventory>
  readonly hardening: BlobStore<HardeningReport>
  readonly audit: AppendLog<AuditEntry>
  readonly events: AppendLog<DeviceEventRecord>
  /** A feature's collection, e.g. `register/findings` (opened once; the same instance afterwards). */
  collection<T extends { id: string }>(name: string, opts?: CollectionOptions): Promise<Collection<T>>
  /** A feature's append-only log, e.g. `register/history`. */
  log<T>(name: string, opts?: LogOptions): Promise<AppendLog<T>>
  /** A feature's keyed documents, e.g. `advisory-db`. */
  docs<T>(name: string): Promise<DocStore<T>>
  /** Settles once every write made before the call is durable (group commit). */
  commit(): Promise<void>
  /**
   * Runs `job` (synchronous) so that the changes it makes are recovered after a crash all together or
   * not at all (e.g. an event and the device's sequence number that says it was applied).
   */
  atomic<T>(job: () => T): T
  /**
   * Optimistic concurrency (`conditional.ts`): runs `job` (synchronous, its changes one atomic unit)
   * only if every `expected` record of `collection` is at that version; otherwise changes nothing and
   * throws `VersionConflictError` with the current records. Resolves once the changes are durable. On
   * PostgreSQL the database's versions are compared (right even when this hub's memory is stale).
   */
  writeIf<R>(collection: Collection<{ id: string }>, expected: Expected[], job: () => R): Promise<R>
  /** Whether writes are being stored right now, and if not why (disk full …). */
  health(): StoreHealth
  /** Rewrites changed collection files and trims the journal. */
  flush(): Promise<void>
  /** Commits, checkpoints and closes everything. */
  close(): Promise<void>
  stats(): StoreStats
  /**
   * Several hubs on one database (PostgreSQL engine): changes other hubs committed to collections
   * reach memory and are told here, so that derived state (the device registry, the live stream)
   * follows. Documents are told too, as `collection` `doc:<store>` or `blob:<kind>`, `id` the key and
   * `record` `{id}` (stored) or undefined (deleted). Absent with the embedded engine (one hub).
   */
  watch?(listener: (change: RemoteChange) => void): () => void
  /** Several hubs: a channel between them. Absent with the embedded engine. */
  readonly cluster?: ClusterChannel
  /**
   * Several hubs: a mark to take before applying a device message, and whether a write of the record
   * made after it was refused because another hub's newer write was stored (the message was not
   * applied: do not acknowledge it; memory already shows the stored record). For a log (`events`),
   * `id` is the entry's dedup key (`deviceEventKey`): a copy was stored already.
   */
  refusalMark?(): number
  refusedSince?(collection: string, id: string, mark: number): boolean
  /**
   * Several hubs: the settings of this store's database connections, for another connection to the
   * same database (the hub slots' advisory locks). Absent with the embedded engine. Lets a feature
   * use the database without importing the PostgreSQL engine (loaded only when it is configured).
   */
  readonly connection?: ClientConfig
  /**
   * Several hubs: deletes log entries past each log's retention and answers how many per log (the
   * `store.retention` job, run by the hub that holds it). Absent with the embedded engine, which drops
   * whole segments as it writes.
   */
  pruneLogs?(): Promise<Record<string, number>>
}
