/**
 * The embedded store: lowdb files in the data directory, split by collection (devices sharded), with
 * content-addressed inventories, append-only logs, a dirty flag and a flush timer.
 *
 *   <dataDir>/meta.json                 { schemaVersion }
 *   <dataDir>/users.json, sessions.json, tokens.json
 *   <dataDir>/devices/<shard>.json
 *   <dataDir>/inventories/<sha256>.json, hardening/<sha256>.json
 *   <dataDir>/audit.jsonl, events.jsonl   (+ sealed 64 MiB segments audit.000001.jsonl …)
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { HardeningReport, Inventory } from '@vigil/protocol'
import { DataFile } from 'lowdb/node'
import { JsonlLog } from './append-log.js'
import { FileBlobStore } from './blobs.js'
import { ShardedCollection } from './collection.js'
import { migrate, type RawCollections, SCHEMA_VERSION } from './migrations.js'
import type {
  AuditEntry,
  DeviceEventRecord,
  DeviceRecord,
  EnrollmentTokenRecord,
  SessionRecord,
  Store,
  StoreStats,
  UserRecord,
} from './types.js'

export interface LowdbStoreOptions {
  dataDir: string
  flushIntervalMs: number
  deviceShards?: number
  /** Called after every flush (metrics). */
  onFlush?: (info: { ms: number; bytes: number; files: number; maxSerializeMs: number }) => void
  onError?: (err: unknown) => void
}

export class LowdbStore implements Store {
  readonly users: ShardedCollection<UserRecord>
  readonly sessions: ShardedCollection<SessionRecord>
  readonly tokens: ShardedCollection<EnrollmentTokenRecord>
  readonly devices: ShardedCollection<DeviceRecord>
  readonly inventories: FileBlobStore<Inventory>
  readonly hardening: FileBlobStore<HardeningReport>
  readonly audit: JsonlLog<AuditEntry>
  readonly events: JsonlLog<DeviceEventRecord>
  private readonly meta: DataFile<{ schemaVersion: number }>
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> | undefined
  private closed = false
  private readonly statistics: StoreStats = { lastFlushMs: 0, lastFlushBytes: 0, flushes: 0 }

  private constructor(private readonly opts: LowdbStoreOptions) {
    const dir = opts.dataDir
    this.users = new ShardedCollection(dir, 'users', 1, SCHEMA_VERSION)
    this.sessions = new ShardedCollection(dir, 'sessions', 1, SCHEMA_VERSION)
    this.tokens = new ShardedCollection(dir, 'tokens', 1, SCHEMA_VERSION)
    this.devices = new ShardedCollection(dir, 'devices', opts.deviceShards ?? 64, SCHEMA_VERSION)
    this.inventories = new FileBlobStore(join(dir, 'inventories'))
    this.hardening = new FileBlobStore(join(dir, 'hardening'))
    // The audit trail is kept whole; device events keep their newest 32 segments (~2 GiB).
    this.audit = new JsonlLog(join(dir, 'audit.jsonl'), { onError: opts.onError })
    this.events = new JsonlLog(join(dir, 'events.jsonl'), { onError: opts.onError, maxSegments: 32 })
    this.meta = new DataFile(join(dir, 'meta.json'), { parse: JSON.parse, stringify: JSON.stringify })
  }

  static async open(opts: LowdbStoreOptions): Promise<LowdbStore> {
    await mkdir(opts.dataDir, { recursive: true })
    const store = new LowdbStore(opts)
    await store.load()
    store.timer = setInterval(() => {
      store.flush().catch((err: unknown) => opts.onError?.(err))
    }, opts.flushIntervalMs)
    store.timer.unref()
    return store
  }

  private get collections() {
    return [this.users, this.sessions, this.tokens, this.devices] as const
  }

  private async load(): Promise<void> {
    const meta = await this.meta.read()
    for (const c of this.collections) await c.load()
    await this.inventories.load()
    await this.hardening.load()
    const from = meta?.schemaVersion ?? 0
    if (from !== SCHEMA_VERSION) {
      const raw: RawCollections = {
        users: this.users.values() as unknown as Record<string, unknown>[],
        sessions: this.sessions.values() as unknown as Record<string, unknown>[],
        tokens: this.tokens.values() as unknown as Record<string, unknown>[],
        devices: this.devices.values() as unknown as Record<string, unknown>[],
      }
      migrate(raw, from)
      for (const c of this.collections) c.touchAll()
      await this.flush()
      await this.meta.write({ schemaVersion: SCHEMA_VERSION })
    }
  }

  async flush(): Promise<void> {
    // One flush at a time; a flush requested during another waits and then runs.
    while (this.flushing) await this.flushing
    if (!this.collections.some((c) => c.isDirty)) return
    this.flushing = this.doFlush()
    try {
      await this.flushing
    } finally {
      this.flushing = undefined
    }
  }

  private async doFlush(): Promise<void> {
    const started = performance.now()
    let bytes = 0
    let files = 0
    let maxSerializeMs = 0
    for (const c of this.collections) {
      if (!c.isDirty) continue
      const r = await c.flush()
      bytes += r.bytes
      files += r.files
      maxSerializeMs = Math.max(maxSerializeMs, r.maxSerializeMs)
    }
    const ms = performance.now() - started
    this.statistics.lastFlushMs = ms
    this.statistics.lastFlushBytes = bytes
    this.statistics.flushes++
    this.opts.onFlush?.({ ms, bytes, files, maxSerializeMs })
  }

  stats(): StoreStats {
    return { ...this.statistics }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    await this.flush()
    await this.audit.settle()
    await this.events.settle()
  }
}
