/**
 * An in-memory collection persisted as one or more small lowdb files (shards). Only shards that changed
 * are rewritten, so a flush at 10,000 devices serialises a few hundred records, not all of them. lowdb's
 * file adapter writes atomically (temp file + rename), so `kill -9` leaves the previous or the new file.
 */
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { DataFile } from 'lowdb/node'
import type { Collection } from './types.js'

export interface ShardFile<T> {
  schemaVersion: number
  items: T[]
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
}

export class ShardedCollection<T extends { id: string }> implements Collection<T> {
  private readonly parts: Map<string, T>[]
  /** Every record by id: lookups (several per ingested message) need no shard hash. */
  private readonly byId = new Map<string, T>()
  private readonly dirty = new Set<number>()
  private readonly paths: string[]
  private lastBytes = 0
  private lastSerializeMs = 0
  private readonly files: DataFile<ShardFile<T>>[]

  constructor(
    dir: string,
    readonly name: string,
    private readonly shards: number,
    private readonly schemaVersion: number,
  ) {
    this.parts = Array.from({ length: shards }, () => new Map<string, T>())
    this.paths = Array.from({ length: shards }, (_, i) =>
      shards === 1 ? join(dir, `${name}.json`) : join(dir, name, `${i}.json`),
    )
    this.files = this.paths.map(
      (path) =>
        new DataFile<ShardFile<T>>(path, {
          parse: (text) => JSON.parse(text) as ShardFile<T>,
          stringify: (data) => {
            const started = performance.now()
            const text = JSON.stringify(data)
            this.lastSerializeMs = performance.now() - started
            this.lastBytes = Buffer.byteLength(text)
            return text
          },
        }),
    )
  }

  /** Loads every shard; answers the schema version found on disk (0 when there is nothing yet). */
  async load(): Promise<number> {
    let version = 0
    for (const [i, file] of this.files.entries()) {
      const data = await file.read()
      if (!data) continue
      version = Math.max(version, data.schemaVersion)
      const part = this.parts[i]
      for (const item of data.items) {
        part?.set(item.id, item)
        this.byId.set(item.id, item)
      }
    }
    return version
  }

  private part(id: string): Map<string, T> {
    const index = shardOf(id, this.shards)
    const part = this.parts[index]
    if (!part) throw new RangeError(`no shard ${index}`)
    return part
  }

  get(id: string): T | undefined {
    return this.byId.get(id)
  }

  values(): T[] {
    return this.parts.flatMap((p) => [...p.values()])
  }

  get size(): number {
    return this.byId.size
  }

  put(record: T): void {
    const index = shardOf(record.id, this.shards)
    const part = this.parts[index]
    if (!part) throw new RangeError(`no shard ${index}`)
    part.set(record.id, record)
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
    this.part(record.id).set(record.id, record)
    this.byId.set(record.id, record)
  }

  delete(id: string): boolean {
    if (!this.byId.delete(id)) return false
    const index = shardOf(id, this.shards)
    this.parts[index]?.delete(id)
    this.dirty.add(index)
    return true
  }

  /** Marks every shard dirty (after a migration). */
  touchAll(): void {
    for (let i = 0; i < this.shards; i++) this.dirty.add(i)
  }

  get isDirty(): boolean {
    return this.dirty.size > 0
  }

  /** Writes the dirty shards one after the other, yielding to the event loop between them. */
  async flush(): Promise<FlushResult> {
    const result: FlushResult = { bytes: 0, files: 0, maxSerializeMs: 0 }
    const pending = [...this.dirty]
    this.dirty.clear()
    for (const [n, shard] of pending.entries()) {
      const file = this.files[shard]
      const path = this.paths[shard]
      const part = this.parts[shard]
      if (!file || !path || !part) continue
      try {
        await mkdir(dirname(path), { recursive: true })
        await file.write({ schemaVersion: this.schemaVersion, items: [...part.values()] })
      } catch (err) {
        for (const s of pending.slice(n)) this.dirty.add(s)
        throw err
      }
      result.bytes += this.lastBytes
      result.files++
      result.maxSerializeMs = Math.max(result.maxSerializeMs, this.lastSerializeMs)
      await new Promise((resolve) => setImmediate(resolve))
    }
    return result
  }
}
