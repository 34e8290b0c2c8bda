/**
 * An in-memory collection persisted as one or more small JSON files (shards), through lowdb's adapter
 * interface. Every change is first a journal line (durable at the next group commit); shard files are
 * rewritten only at a checkpoint, and only the shards that changed, so a checkpoint at 10,000 devices
 * serialises a few hundred records, not all of them.
 *
 * A record is serialised when it is put: a record that cannot be stored (a cycle, nesting too deep for
 * the serialiser) is refused there, before it reaches memory, so it can never block the shard it would
 * have shared with other records.
 */
import { join } from 'node:path'
import { StoreCorruptError } from './errors.js'
import { eachAtOnce } from './fsx.js'
import { encodeEntry, encodeJson, type JournalEntry, type PutsBatch } from './journal.js'
import { DurableJsonFile } from './json-file.js'
import type { Collection } from './types.js'

export interface ShardFile<T> {
  schemaVersion: number
  items: T[]
  /** Each record's version (optimistic concurrency: `Store.writeIf`); 1 when absent (older files). */
  versions?: Record<string, number>
}

export function shardOf(id: string, shards: number): number {
  // FNV-1a: stable across processes and cheap.
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % shards
}

export interface FlushResult {
  bytes: number
  files: number
  /** Longest synchronous serialisation of one file, in ms. */
  maxSerializeMs: number
  /** Shard files written (their directories still need an fsync). */
  paths: string[]
}

/** Where a collection's journal lines go. */
export interface JournalSink {
  /** The entry `prefix + json + suffix` (see `Journal.append`). */
  append(json: string, prefix?: string, suffix?: string): void
  /** Runs `job` so that every entry it appends is one line (see `Journal.atomic`). */
  atomic<R>(job: () => R): R
}

/** Shard files written at once by a flush (libuv's default thread pool has 4 threads). */
const SHARD_WRITERS = 4

/** What `putMany` can write in columns: a value a record's own JSON would hold as it is. */
function columnable(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol'
}

export interface CollectionSpec {
  /** e.g. `devices`, `register/findings` (a path below the data dir). */
  name: string
  shards: number
  schemaVersion: number
}

/** A record as held: its version (rises with every put, journaled with it, kept in the shard file), its shard. */
interface Slot<T> {
  r: T
  n: number
  readonly s: number
}

export class ShardedCollection<T extends { id: string }> implements Collection<T> {
  /**
   * Every record by id, with its version and shard: one map, one lookup per get and per put of a held
   * record (a new advisory puts thousands of records in one pass; per-shard maps of ids cost two more
   * lookups each). A checkpoint picks the dirty shards' records out of it.
   */
  private readonly byId = new Map<string, Slot<T>>()
  private readonly dirty = new Set<number>()
  private readonly files: DurableJsonFile<ShardFile<T>>[]
  readonly name: string
  readonly shards: number
  readonly schemaVersion: number
  /** Shards whose file exists on disk. */
  private readonly present = new Set<number>()
  /** `{"c":<name>,"s":<shards>,"v":<schemaVersion>,"op":"put","r":` (see `put`). */
  private readonly putPrefix: string
  /** `{"c":<name>,"s":<shards>,"v":<schemaVersion>,"op":"puts","b":` (see `putMany`). */
  private readonly putsPrefix: string

  constructor(
    dataDir: string,
    spec: CollectionSpec,
    private readonly sink: JournalSink,
  ) {
    this.name = spec.name
    this.shards = spec.shards
    this.schemaVersion = spec.schemaVersion
    const head = `{"c":${JSON.stringify(spec.name)},"s":${spec.shards},"v":${spec.schemaVersion}`
    this.putPrefix = `${head},"op":"put","r":`
    this.putsPrefix = `${head},"op":"puts","b":`
    this.files = Array.from(
      { length: spec.shards },
      (_, i) =>
        new DurableJsonFile<ShardFile<T>>(
          spec.shards === 1 ? join(dataDir, `${spec.name}.json`) : join(dataDir, spec.name, `${i}.json`),
        ),
    )
  }

  get paths(): string[] {
    return this.files.map((f) => f.path)
  }

  /**
   * Loads every shard; answers the schema version found on disk (0 when there is nothing yet). With
   * `expectFiles`, a missing shard file is corruption (the collection was written whole before).
   */
  async load(expectFiles = false): Promise<number> {
    let version = 0
    for (const [i, file] of this.files.entries()) {
      const data = await file.read()
      if (!data) {
        if (expectFiles) throw new StoreCorruptError(file.path, 'missing (the data directory is incomplete)')
        this.dirty.add(i)
        continue
      }
      if (!Array.isArray(data.items) || typeof data.schemaVersion !== 'number')
        throw new StoreCorruptError(file.path, 'not a shard file (no items)')
      this.present.add(i)
      version = Math.max(version, data.schemaVersion)
      for (const item of data.items) {
        if (!item || typeof item.id !== 'string') throw new StoreCorruptError(file.path, 'a record has no id')
        this.byId.set(item.id, { r: item, n: data.versions?.[item.id] ?? 1, s: i })
      }
    }
    return version
  }

  get(id: string): T | undefined {
    return this.byId.get(id)?.r
  }

  values(): T[] {
    const out: T[] = []
    for (const slot of this.byId.values()) out.push(slot.r)
    return out
  }

  get size(): number {
    return this.byId.size
  }

  versionOf(id: string): number | undefined {
    return this.byId.get(id)?.n
  }

  private delEntry(id: string): JournalEntry {
    return { c: this.name, s: this.shards, v: this.schemaVersion, op: 'del', id }
  }

  put(record: T): void {
    // Serialised first: a record that cannot be stored is refused before memory changes. The entry's
    // JSON is the text `JSON.stringify({ c, s, v, op: 'put', r: record, n: version })` gives, spliced
    // around the record's.
    const json = encodeJson(record)
    const held = this.byId.get(record.id)
    const version = (held?.n ?? 0) + 1
    this.sink.append(json, this.putPrefix, `,"n":${version}}`)
    this.apply(held, record, version)
  }

  /**
   * `put` of each record as one journal entry (`Collection.putMany`): the first record's fields in
   * order, the values every record shares once (strings, numbers, booleans, null: the one advisory, time
   * and state of a device's new findings), the other fields in columns, the versions. Records whose
   * fields are not all the first's (another set, an undefined value) are one `put` entry each, in one
   * transaction. Serialised before anything changes, as `put`. Every version is taken before any record
   * is applied: a record named twice is stored once (the last), one version up, as a replay gives.
   */
  putMany(records: readonly T[]): void {
    if (records.length === 0) return
    const held: (Slot<T> | undefined)[] = []
    const n: number[] = []
    for (const r of records) {
      const slot = this.byId.get(r.id)
      held.push(slot)
      n.push((slot?.n ?? 0) + 1)
    }
    const batch = this.batchOf(records, n)
    if (batch !== undefined) this.sink.append(encodeJson(batch), this.putsPrefix, '}')
    else {
      const json = records.map((r) => encodeJson(r))
      this.sink.atomic(() => {
        for (const [i, one] of json.entries()) this.sink.append(one, this.putPrefix, `,"n":${n[i]}}`)
      })
    }
    for (const [i, r] of records.entries()) this.apply(held[i], r, n[i] as number)
  }

  /**
   * The batch of `putMany`, each field read once per record: shared values once, the other fields in
   * columns; undefined when the records do not all have the first one's fields (another set, an
   * undefined value), one has its own `toJSON`, or they are fewer than two.
   */
  private batchOf(records: readonly T[], n: number[]): PutsBatch | undefined {
    const rows = records as readonly Record<string, unknown>[]
    const first = rows[0] as Record<string, unknown>
    const k = Object.keys(first)
    if (rows.length < 2 || k.includes('__proto__')) return undefined
    for (const [i, row] of rows.entries()) {
      // A record with its own `toJSON` is stored as that says, not field by field.
      if (typeof row.toJSON === 'function') return undefined
      if (i > 0 && Object.keys(row).length !== k.length) return undefined
    }
    const one: unknown[] = []
    const cols: unknown[][] = []
    for (const [j, key] of k.entries()) {
      const v0 = first[key]
      if (!columnable(v0)) return undefined
      const col: unknown[] = [v0]
      let shared = v0 === null || typeof v0 !== 'object'
      for (let i = 1; i < rows.length; i++) {
        const v = (rows[i] as Record<string, unknown>)[key]
        if (!columnable(v)) return undefined
        if (v !== v0) shared = false
        col.push(v)
      }
      if (shared) one.push(j, v0)
      else cols.push(col)
    }
    return { k, one, cols, n }
  }

  private apply(held: Slot<T> | undefined, record: T, version: number): void {
    if (held === undefined) {
      const s = shardOf(record.id, this.shards)
      this.byId.set(record.id, { r: record, n: version, s })
      this.dirty.add(s)
    } else {
      held.r = record
      held.n = version
      this.dirty.add(held.s)
    }
  }

  putVolatile(record: T): void {
    const held = this.byId.get(record.id)
    if (held === undefined) {
      this.put(record)
      return
    }
    // Not journaled, no new version. The same object changed in place (the telemetry hot path): nothing to do.
    if (held.r !== record) held.r = record
  }

  delete(id: string): boolean {
    if (!this.byId.has(id)) return false
    this.sink.append(encodeEntry(this.delEntry(id)))
    this.remove(id)
    return true
  }

  private remove(id: string): void {
    const held = this.byId.get(id)
    if (held === undefined) return
    this.byId.delete(id)
    this.dirty.add(held.s)
  }

  /** Applies a journal entry at start (not journaled again). */
  replay(entry: Extract<JournalEntry, { c: string }>): void {
    if (entry.op === 'put') {
      const held = this.byId.get(entry.r.id)
      this.apply(held, entry.r as T, entry.n ?? (held?.n ?? 0) + 1)
    } else if (entry.op === 'puts') this.replayMany(entry.b)
    else if (entry.op === 'del') this.remove(entry.id)
    // A change this hub does not know (written by a newer one): stop rather than lose it unnoticed.
    else
      throw new StoreCorruptError(
        this.name,
        `a journal entry of unknown kind ${JSON.stringify((entry as { op: unknown }).op)} (written by a newer hub?)`,
      )
  }

  /** The records of a `putMany` entry, each built from the shared values and its columns. */
  private replayMany({ k, one, cols, n }: PutsBatch): void {
    if (k.includes('__proto__')) throw new StoreCorruptError(this.name, 'a batch names the field __proto__')
    for (let i = 0; i < n.length; i++) {
      const r: Record<string, unknown> = {}
      let o = 0
      let c = 0
      for (let j = 0; j < k.length; j++) {
        if (one[o] === j) {
          r[k[j] as string] = one[o + 1]
          o += 2
        } else r[k[j] as string] = (cols[c++] as unknown[])[i]
      }
      this.apply(this.byId.get(r.id as string), r as T, n[i] as number)
    }
  }

  /** Marks every shard dirty (after a migration). */
  touchAll(): void {
    for (let i = 0; i < this.shards; i++) this.dirty.add(i)
  }

  get isDirty(): boolean {
    return this.dirty.size > 0
  }

  /** Whether every shard file exists on disk. */
  get complete(): boolean {
    return this.present.size === this.shards
  }

  /**
   * Writes the dirty shards (each atomically and fsynced; the caller fsyncs their directories). The
   * records are taken synchronously, so the files hold the state of this moment. A shard that was not
   * written stays dirty.
   */
  async flush(): Promise<FlushResult> {
    const result: FlushResult = { bytes: 0, files: 0, maxSerializeMs: 0, paths: [] }
    const pending = [...this.dirty]
    this.dirty.clear()
    type Snapshot = { items: T[]; versions: Record<string, number> }
    const byShard: (Snapshot | undefined)[] = []
    const snapshots = pending.map((shard) => {
      const data: ShardFile<T> & Snapshot = { schemaVersion: this.schemaVersion, items: [], versions: {} }
      byShard[shard] = data
      return { shard, data }
    })
    for (const slot of this.byId.values()) {
      const data = byShard[slot.s]
      if (data === undefined) continue
      data.items.push(slot.r)
      data.versions[slot.r.id] = slot.n
    }
    let failure: unknown
    // A few shards in flight at once: each write is a temp file, an fsync and a rename, mostly waiting
    // on the disk, and one after the other 64 shards took ~190 ms. Each shard is still serialised on its
    // own (one synchronous step each), while the others' writes wait on the disk.
    await eachAtOnce(snapshots, SHARD_WRITERS, async ({ shard, data }) => {
      const file = this.files[shard]
      if (!file) return
      try {
        const written = await file.writeMeasured(data)
        this.present.add(shard)
        result.bytes += written.bytes
        result.files++
        result.maxSerializeMs = Math.max(result.maxSerializeMs, written.serializeMs)
        result.paths.push(file.path)
      } catch (err) {
        this.dirty.add(shard)
        failure ??= err
      }
    })
    if (failure) throw failure
    return result
  }
}
