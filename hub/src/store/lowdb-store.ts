/**
 * The embedded engine: in-memory collections persisted through a write-ahead journal with group
 * commit, checkpointed into lowdb JSON files; append-only logs; content-addressed and keyed documents.
 *
 *   <dataDir>/hub.lock                      pid of the hub that holds the directory
 *   <dataDir>/meta.json                     { schemaVersion, collections: { name: { shards, schemaVersion } } }
 *   <dataDir>/journal/<seq>.wal             changes since the last checkpoint (replayed at start)
 *   <dataDir>/users.json, sessions.json, tokens.json, devices/<shard>.json, <feature>/<name>…
 *   <dataDir>/inventories/<sha256>.json, hardening/<sha256>.json, <feature docs>/<key>.json
 *   <dataDir>/audit.<seq>.jsonl, events.<seq>.jsonl, <feature logs>.<seq>.jsonl   (numbered segments)
 *
 * Opening replays the journal over the shard files and checkpoints at once, so a start after
 * `kill -9` holds exactly what was committed. A damaged or missing file is named and the hub does not
 * start (see `vigil-hub check --repair`).
 */
import { rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { HardeningReport, Inventory } from '@vigil/protocol'
import { JsonlLog, type LogPosition } from './append-log.js'
import { FileBlobStore, FileDocStore } from './blobs.js'
import { type CollectionSpec, ShardedCollection } from './collection.js'
import { conflictsOf, type Expected, VersionConflictError } from './conditional.js'
import { StorageError, StoreCorruptError, toStorageError } from './errors.js'
import { ensureDir, fsyncDir, removeTempFiles } from './fsx.js'
import { GroupCommit } from './group-commit.js'
import { Journal } from './journal.js'
import { DurableJsonFile } from './json-file.js'
import { acquireLock, type DataDirLock } from './lock.js'
import { migrate, type RawCollections, SCHEMA_VERSION } from './migrations.js'
import type {
  AuditEntry,
  Collection,
  CollectionOptions,
  DeviceEventRecord,
  DeviceRecord,
  DocStore,
  EnrollmentTokenRecord,
  LogOptions,
  SessionRecord,
  Store,
  StoreHealth,
  StoreStats,
  UserRecord,
} from './types.js'

export interface LowdbStoreOptions {
  dataDir: string
  /** Checkpoint interval (shard files rewritten, journal trimmed). */
  flushIntervalMs: number
  /** Group-commit window: at most one fsync round per window (default 10 ms). */
  commitWindowMs?: number
  /** UNSAFE (benchmarks only): the journal is written but never fsynced. See `unsafeNoFsync` in config. */
  unsafeNoFsync?: boolean
  deviceShards?: number
  /** Called after every checkpoint (metrics). */
  onFlush?: (info: { ms: number; bytes: number; files: number; maxSerializeMs: number }) => void
  /** Called after every commit round (metrics). */
  onCommit?: (info: { ms: number; waiters: number }) => void
  /** Called when storage starts failing (once per failure streak) and for background errors. */
  onError?: (err: unknown) => void
  /** Audit log retention: keep at most this many segments (default: the whole trail). */
  auditMaxSegments?: number
  /** Audit log segment size (default 64 MiB). */
  auditSegmentBytes?: number
  /** Take the data directory even if a live process holds its lock (tests of a second opener only). */
  skipLock?: boolean
}

interface Meta {
  schemaVersion: number
  collections?: Record<string, { shards: number; schemaVersion: number }>
  /** Each log's durable position at the last checkpoint. */
  logs?: Record<string, LogPosition & { maxSegments?: number }>
  /** Journal segments below this are covered by the last checkpoint. */
  journalFrom?: number
  /** Keyed-document stores features opened (`docs`): reopened at start, so backups hold them too. */
  docs?: string[]
}

/** Checkpoint early when the journal grows past this. */
const JOURNAL_CHECKPOINT_BYTES = 64 * 1024 * 1024

export class LowdbStore implements Store {
  readonly users: ShardedCollection<UserRecord>
  readonly sessions: ShardedCollection<SessionRecord>
  readonly tokens: ShardedCollection<EnrollmentTokenRecord>
  readonly devices: ShardedCollection<DeviceRecord>
  readonly inventories: FileBlobStore<Inventory>
  readonly hardening: FileBlobStore<HardeningReport>
  readonly audit: JsonlLog<AuditEntry>
  readonly events: JsonlLog<DeviceEventRecord>
  private readonly journal: Journal
  private readonly committer: GroupCommit
  private readonly collections = new Map<string, ShardedCollection<{ id: string }>>()
  private readonly logs = new Map<string, JsonlLog<unknown>>()
  private readonly docStores = new Map<string, FileDocStore<unknown>>()
  private readonly metaFile: DurableJsonFile<Meta>
  private meta: Meta = { schemaVersion: SCHEMA_VERSION, collections: {} }
  private timer: NodeJS.Timeout | undefined
  private checkpointing: Promise<void> | undefined
  private lock: DataDirLock | undefined
  private closed = false
  private readonly statistics: StoreStats = {
    lastFlushMs: 0,
    lastFlushBytes: 0,
    flushes: 0,
    commitRounds: 0,
    commits: 0,
    errors: 0,
  }

  private constructor(private readonly opts: LowdbStoreOptions) {
    const dir = opts.dataDir
    this.journal = new Journal(dir, { fsync: opts.unsafeNoFsync !== true })
    this.committer = new GroupCommit({
      windowMs: opts.commitWindowMs ?? 10,
      onRound: ({ ms, waiters }) => {
        this.statistics.commitRounds++
        this.statistics.commits += waiters
        opts.onCommit?.({ ms, waiters })
      },
      onError: (err) => {
        this.statistics.errors++
        opts.onError?.(err)
      },
    })
    // One participant: the round writes the staged documents (inventories, hardening reports) first,
    // then the journal lines that may name them (`Journal.persist`).
    this.committer.add({ hasPending: () => this.roundPending(), persist: () => this.persistRound() })
    this.users = this.newCollection({ name: 'users', shards: 1, schemaVersion: SCHEMA_VERSION })
    this.sessions = this.newCollection({ name: 'sessions', shards: 1, schemaVersion: SCHEMA_VERSION })
    this.tokens = this.newCollection({ name: 'tokens', shards: 1, schemaVersion: SCHEMA_VERSION })
    this.devices = this.newCollection({
      name: 'devices',
      shards: opts.deviceShards ?? 64,
      schemaVersion: SCHEMA_VERSION,
    })
    this.inventories = new FileBlobStore(join(dir, 'inventories'), () => this.commit())
    this.hardening = new FileBlobStore(join(dir, 'hardening'), () => this.commit())
    // The audit trail is kept whole unless a retention is configured; device events keep their newest
    // 32 segments (~2 GiB).
    this.audit = this.newLog('audit', {
      ...(opts.auditMaxSegments !== undefined ? { maxSegments: opts.auditMaxSegments } : {}),
      ...(opts.auditSegmentBytes !== undefined ? { maxSegmentBytes: opts.auditSegmentBytes } : {}),
    })
    this.events = this.newLog('events', { maxSegments: 32 })
    this.metaFile = new DurableJsonFile(join(dir, 'meta.json'))
  }

  private newCollection<T extends { id: string }>(spec: CollectionSpec): ShardedCollection<T> {
    const c = new ShardedCollection<T>(this.opts.dataDir, spec, this.journal)
    this.collections.set(spec.name, c as unknown as ShardedCollection<{ id: string }>)
    return c
  }

  private newLog<T>(name: string, opts: LogOptions): JsonlLog<T> {
    const log = new JsonlLog<T>(name, this.opts.dataDir, this.journal, opts)
    this.logs.set(name, log as JsonlLog<unknown>)
    this.logOptions.set(name, opts)
    return log
  }

  private readonly logOptions = new Map<string, LogOptions>()

  static async open(opts: LowdbStoreOptions): Promise<LowdbStore> {
    await ensureDir(opts.dataDir)
    const lock = opts.skipLock ? undefined : await acquireLock(opts.dataDir)
    const store = new LowdbStore(opts)
    store.lock = lock
    try {
      await store.load()
    } catch (err) {
      await store.journal.close().catch(() => undefined)
      await lock?.release()
      throw err
    }
    store.timer = setInterval(() => {
      store.flush().catch((err: unknown) => opts.onError?.(err))
    }, opts.flushIntervalMs)
    store.timer.unref()
    return store
  }

  private async load(): Promise<void> {
    const dir = this.opts.dataDir
    await removeTempFiles(dir)
    // Staging left by an interrupted backup.
    await rm(join(dir, 'tmp'), { recursive: true, force: true })
    const meta = await this.metaFile.read()
    if (meta) this.meta = { ...meta, collections: meta.collections ?? {} }
    const known = this.meta.collections ?? {}
    // Collections and logs named in the journal or in meta are opened now, so recovery is whole before
    // any feature runs; the feature later gets the same instance.
    this.journal.replayFrom = this.meta.journalFrom ?? 0
    const entries = await this.journal.open()
    for (const [name, at] of Object.entries(this.meta.logs ?? {})) {
      if (!this.logs.has(name))
        this.newLog(name, at.maxSegments !== undefined ? { maxSegments: at.maxSegments } : {})
    }
    for (const [name, spec] of Object.entries(known)) {
      if (!this.collections.has(name)) this.newCollection({ name, ...spec })
    }
    for (const e of entries) {
      if ('l' in e) {
        if (!this.logs.has(e.l)) this.newLog(e.l, {})
      } else if (!this.collections.has(e.c)) {
        this.newCollection({ name: e.c, shards: e.s, schemaVersion: e.v })
      }
    }
    for (const c of this.collections.values()) {
      await removeTempFiles(c.shards === 1 ? dir : join(dir, c.name))
      await c.load(known[c.name] !== undefined)
    }
    for (const [name, log] of this.logs) await log.open(this.meta.logs?.[name])
    for (const e of entries) {
      if ('l' in e) this.logs.get(e.l)?.replay(e.e)
      else this.collections.get(e.c)?.replay(e)
    }
    await this.inventories.load()
    await this.hardening.load()
    // Opened now too, so that an offline backup (no feature runs) holds e.g. the advisory db.
    for (const name of this.meta.docs ?? []) await this.docs(name)
    const from = meta ? meta.schemaVersion : SCHEMA_VERSION
    if (from !== SCHEMA_VERSION) {
      const raw: RawCollections = {
        users: this.users.values() as unknown as Record<string, unknown>[],
        sessions: this.sessions.values() as unknown as Record<string, unknown>[],
        tokens: this.tokens.values() as unknown as Record<string, unknown>[],
        devices: this.devices.values() as unknown as Record<string, unknown>[],
      }
      migrate(raw, from)
      for (const c of [this.users, this.sessions, this.tokens, this.devices]) c.touchAll()
      this.meta.schemaVersion = SCHEMA_VERSION
    }
    const legacy = await this.importLegacyFiles()
    await this.checkpoint()
    for (const file of legacy) await unlink(file)
    if (legacy.length > 0) await fsyncDir(dir)
  }

  /**
   * Single-document files of earlier versions (features wrote them themselves) become records of
   * store collections; answers the files to remove once the checkpoint holds them.
   */
  private async importLegacyFiles(): Promise<string[]> {
    const dir = this.opts.dataDir
    const legacy: [string, string, (doc: Record<string, unknown>) => { id: string }][] = [
      [
        'baselines.json',
        'baselines/state',
        (d) => ({ id: 'state', current: d.current ?? null, history: d.history ?? [] }),
      ],
      [
        'vendor-aliases.json',
        'correlation/vendor-aliases',
        (d) => ({ id: 'custom', aliases: d.aliases ?? [] }),
      ],
    ]
    const done: string[] = []
    for (const [name, collection, toRecord] of legacy) {
      const file = new DurableJsonFile<Record<string, unknown>>(join(dir, name))
      const doc = await file.read()
      if (!doc) continue
      const c = await this.collection(collection)
      if (c.size === 0) c.put(toRecord(doc))
      done.push(file.path)
    }
    return done
  }

  async collection<T extends { id: string }>(name: string, opts: CollectionOptions = {}) {
    const shards = opts.shards ?? 1
    const held = this.collections.get(name)
    if (held) {
      if (held.shards !== shards)
        throw new StorageError('STORE_CORRUPT', `collection ${name} has ${held.shards} shards, not ${shards}`)
      return held as unknown as ShardedCollection<T>
    }
    const c = this.newCollection<T>({ name, shards, schemaVersion: opts.schemaVersion ?? 1 })
    await removeTempFiles(shards === 1 ? this.opts.dataDir : join(this.opts.dataDir, name))
    await c.load(false)
    return c
  }

  async log<T>(name: string, opts: LogOptions = {}) {
    const held = this.logs.get(name)
    if (held) return held as JsonlLog<T>
    const log = this.newLog<T>(name, opts)
    await log.open(this.meta.logs?.[name])
    return log
  }

  async docs<T>(name: string): Promise<DocStore<T>> {
    const held = this.docStores.get(name)
    if (held) return held as FileDocStore<T>
    const d = new FileDocStore<T>(join(this.opts.dataDir, name))
    await d.load()
    this.docStores.set(name, d as FileDocStore<unknown>)
    if (!this.meta.docs?.includes(name)) {
      this.meta.docs = [...(this.meta.docs ?? []), name]
      await this.metaFile.write(this.meta)
    }
    return d
  }

  /**
   * Everything this data directory holds, by name (`vigil-hub migrate`): collections and logs known from
   * meta.json and the journal, keyed document stores recorded in meta.json.
   */
  contents(): { collections: { name: string; shards: number }[]; logs: string[]; docs: string[] } {
    return {
      collections: [...this.collections.values()].map((c) => ({ name: c.name, shards: c.shards })),
      logs: [...this.logs.keys()],
      docs: [...new Set([...(this.meta.docs ?? []), ...this.docStores.keys()])],
    }
  }

  private roundPending(): boolean {
    return this.journal.hasPending() || this.inventories.hasStaged() || this.hardening.hasStaged()
  }

  /** One commit round's writes: staged documents durable first, then the journal lines. */
  private persistRound(): Promise<void> {
    return this.journal.persist(() =>
      Promise.all([this.inventories.persistStaged(), this.hardening.persistStaged()]),
    )
  }

  commit(): Promise<void> {
    const p = this.committer.commit()
    if (this.journal.activeBytes > JOURNAL_CHECKPOINT_BYTES && !this.checkpointing)
      this.flush().catch((err: unknown) => this.opts.onError?.(err))
    return p
  }

  health(): StoreHealth {
    return this.committer.health()
  }

  /** Checkpoint: rewrites changed shard files, then drops the journal segments they cover. */
  flush(): Promise<void> {
    if (this.checkpointing) return this.checkpointing
    this.checkpointing = this.checkpoint().finally(() => {
      this.checkpointing = undefined
    })
    return this.checkpointing
  }

  private async checkpoint(): Promise<void> {
    while (this.paused) await this.paused
    const logs = [...this.logs.entries()]
    // Nothing changed since the last checkpoint: every journal entry is already in the files.
    if (
      ![...this.collections.values()].some((c) => c.isDirty) &&
      !logs.some(([, l]) => l.hasUnwritten) &&
      this.meta.collections !== undefined &&
      this.statistics.flushes > 0
    )
      return
    const started = performance.now()
    // Everything queued so far goes to the old journal segment first; later changes go to the new one
    // (and may also be in the shard files written below: replaying a put or delete is idempotent, and
    // log appends are taken exactly at the rotation).
    let dirty: ShardedCollection<{ id: string }>[] = []
    const keep = await this.committer.exclusive(async () => {
      while (this.roundPending()) await this.persistRound()
      // Synchronous from here: every change journaled in the segments about to be dropped has marked
      // its collection dirty by now (a collection changed while this section waited for a commit
      // round is included), and no append falls between the logs' take and the rotation.
      dirty = [...this.collections.values()].filter((c) => c.isDirty)
      for (const [, log] of logs) log.take()
      const next = this.journal.rotate()
      await this.journal.syncDir()
      return next
    })
    let bytes = 0
    let files = 0
    let maxSerializeMs = 0
    const dirs = new Set<string>()
    try {
      for (const c of dirty) {
        const r = await c.flush()
        bytes += r.bytes
        files += r.files
        maxSerializeMs = Math.max(maxSerializeMs, r.maxSerializeMs)
        dirs.add(c.shards === 1 ? this.opts.dataDir : join(this.opts.dataDir, c.name))
      }
      for (const d of dirs) await fsyncDir(d)
      const positions: NonNullable<Meta['logs']> = { ...this.meta.logs }
      for (const [name, log] of logs) {
        const maxSegments = this.logOptions.get(name)?.maxSegments
        positions[name] = { ...(await log.write()), ...(maxSegments !== undefined ? { maxSegments } : {}) }
      }
      this.meta.logs = positions
      this.meta.journalFrom = keep
      await this.recordCollections()
    } catch (err) {
      this.statistics.errors++
      throw toStorageError(err)
    }
    await this.journal.dropBefore(keep)
    const ms = performance.now() - started
    this.statistics.lastFlushMs = ms
    this.statistics.lastFlushBytes = bytes
    this.statistics.flushes++
    if (files > 0) this.opts.onFlush?.({ ms, bytes, files, maxSerializeMs })
  }

  /** Writes meta.json: every collection now whole on disk (so a missing file is noticed later), log positions. */
  private async recordCollections(): Promise<void> {
    const known = this.meta.collections ?? {}
    for (const c of this.collections.values()) {
      if (known[c.name] || !c.complete) continue
      known[c.name] = { shards: c.shards, schemaVersion: c.schemaVersion }
    }
    this.meta.collections = known
    const docs = new Set([...(this.meta.docs ?? []), ...this.docStores.keys()])
    if (docs.size > 0) this.meta.docs = [...docs].sort()
    await this.metaFile.write(this.meta)
  }

  /** Every file the store holds now (backup, check), relative paths not included. */
  async files(): Promise<string[]> {
    const out = [this.metaFile.path]
    for (const c of this.collections.values()) out.push(...c.paths)
    for (const log of this.logs.values()) out.push(...(await log.files()))
    out.push(...(await this.journal.files()))
    for (const b of [this.inventories, this.hardening]) out.push(...b.storedKeys().map((k) => b.pathOf(k)))
    for (const b of this.docStores.values()) out.push(...b.keys().map((k) => b.pathOf(k)))
    return out
  }

  private paused: Promise<void> | undefined

  /**
   * Runs `job` while no file of the data directory changes: checkpoints and commit rounds wait, so
   * the files (shards, logs, meta, journal) are one consistent state that replays like a crash.
   */
  async snapshot<T>(job: () => Promise<T>): Promise<T> {
    await this.flush()
    let resume: () => void = () => {}
    while (this.paused) await this.paused
    this.paused = new Promise<void>((r) => {
      resume = r
    })
    try {
      await this.checkpointing
      return await this.committer.exclusive(async () => {
        if (this.roundPending()) await this.persistRound()
        return job()
      })
    } finally {
      this.paused = undefined
      resume()
    }
  }

  /** Runs `job` (synchronous) so that its changes are replayed after a crash all together or not at all. */
  atomic<T>(job: () => T): T {
    return this.journal.atomic(job)
  }

  /** One hub holds the directory: its memory is the truth, compared synchronously (`conditional.ts`). */
  async writeIf<R>(collection: Collection<{ id: string }>, expected: Expected[], job: () => R): Promise<R> {
    const conflicts = conflictsOf(expected, (id) => {
      const record = collection.get(id)
      const version = collection.versionOf(id)
      return record === undefined || version === undefined ? undefined : { record, version }
    })
    if (conflicts.length > 0) throw new VersionConflictError(conflicts)
    const result = this.atomic(job)
    await this.commit()
    return result
  }

  get dataDir(): string {
    return this.opts.dataDir
  }

  stats(): StoreStats {
    return { ...this.statistics }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    let failure: unknown
    await this.committer.close().catch((err) => (failure = err))
    await this.flush().catch((err) => (failure ??= err))
    for (const log of this.logs.values()) await log.settle()
    await this.journal.close()
    await this.lock?.release()
    if (failure) throw failure
  }
}

export { StoreCorruptError }
