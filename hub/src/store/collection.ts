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
import { encodeEntry, encodeJson, type JournalEntry } from './journal.js'
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
}

export interface CollectionSpec {
  /** e.g. `devices`, `register/findings` (a path below the data dir). */
  name: string
  shards: number
  schemaVersion: number
}

export class ShardedCollection<T extends { id: string }> implements Collection<T> {
  /**
   * Each shard's ids with each record's version (rises with every put, journaled with it, kept in the
   * shard file). Two maps in all, not three: a new advisory puts thousands of records in one pass.
   */
  private readonly parts: Map<string, number>[]
  /** Every record by id: lookups (several per ingested message) need no shard hash. */
  private readonly byId = new Map<string, T>()
  private readonly dirty = new Set<number>()
  private readonly files: DurableJsonFile<ShardFile<T>>[]
  readonly name: string
  readonly shards: number
  readonly schemaVersion: number
  /** Shards whose file exists on disk. */
  private readonly present = new Set<number>()
  /** `{"c":<name>,"s":<shards>,"v":<schemaVersion>,"op":"put","r":` (see `put`). */
  private readonly putPrefix: string

  constructor(
    dataDir: string,
    spec: CollectionSpec,
    private readonly sink: JournalSink,
  ) {
    this.name = spec.name
    this.shards = spec.shards
    this.schemaVersion = spec.schemaVersion
    this.putPrefix = `{"c":${JSON.stringify(spec.name)},"s":${spec.shards},"v":${spec.schemaVersion},"op":"put","r":`
    this.parts = Array.from({ length: spec.shards }, () => new Map<string, number>())
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
      const part = this.parts[i]
      for (const item of data.items) {
        if (!item || typeof item.id !== 'string') throw new StoreCorruptError(file.path, 'a record has no id')
        part?.set(item.id, data.versions?.[item.id] ?? 1)
        this.byId.set(item.id, item)
      }
    }
    return version
  }

  private part(id: string): Map<string, number> {
    const index = shardOf(id, this.shards)
    const part = this.parts[index]
    if (!part) throw new RangeError(`no shard ${index}`)
    return part
  }

  get(id: string): T | undefined {
    return this.byId.get(id)
  }

  values(): T[] {
    const out: T[] = []
    for (const part of this.parts) for (const id of part.keys()) out.push(this.byId.get(id) as T)
    return out
  }

  get size(): number {
    return this.byId.size
  }

  versionOf(id: string): number | undefined {
    return this.byId.has(id) ? this.part(id).get(id) : undefined
  }

  private delEntry(id: string): JournalEntry {
    return { c: this.name, s: this.shards, v: this.schemaVersion, op: 'del', id }
  }

  put(record: T): void {
    const index = shardOf(record.id, this.shards)
    const part = this.parts[index]
    if (!part) throw new RangeError(`no shard ${index}`)
    const version = (part.get(record.id) ?? 0) + 1
    // Serialised first: a record that cannot be stored is refused before memory changes. The entry's
    // JSON is the text `JSON.stringify({ c, s, v, op: 'put', r: record, n: version })` gives, spliced around the
    // record's (this runs for every record put: a new advisory puts thousands at once).
    this.sink.append(encodeJson(record), this.putPrefix, `,"n":${version}}`)
    part.set(record.id, version)
    this.byId.set(record.id, record)
    this.dirty.add(index)
  }

  private apply(record: T, version: number): void {
    const index = shardOf(record.id, this.shards)
    this.parts[index]?.set(record.id, version)
    this.byId.set(record.id, record)
    this.dirty.add(index)
  }

  putVolatile(record: T): void {
    const held = this.byId.get(record.id)
    // The same object changed in place (the telemetry hot path): nothing to hash or re-insert.
    if (held === record) return
    if (held === undefined) {
      this.put(record)
      return
    }
    this.byId.set(record.id, record)
  }

  delete(id: string): boolean {
    if (!this.byId.has(id)) return false
    this.sink.append(encodeEntry(this.delEntry(id)))
    this.remove(id)
    return true
  }

  private remove(id: string): void {
    this.byId.delete(id)
    const index = shardOf(id, this.shards)
    this.parts[index]?.delete(id)
    this.dirty.add(index)
  }

  /** Applies a journal entry at start (not journaled again). */
  replay(entry: Extract<JournalEntry, { c: string }>): void {
    if (entry.op === 'put') this.apply(entry.r as T, entry.n ?? (this.versionOf(entry.r.id) ?? 0) + 1)
    else if (this.byId.has(entry.id)) this.remove(entry.id)
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
    const snapshots = pending.map((shard) => {
      const items: T[] = []
      const versions: Record<string, number> = {}
      for (const [id, version] of this.parts[shard] ?? []) {
        items.push(this.byId.get(id) as T)
        versions[id] = version
      }
      return { shard, data: { schemaVersion: this.schemaVersion, items, versions } }
    })
    let failure: unknown
    for (const { shard, data } of snapshots) {
      const file = this.files[shard]
      if (!file) continue
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
    }
    if (failure) throw failure
    return result
  }
}
