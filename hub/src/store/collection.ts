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

/** Shard files written at the same time by one flush. */
const FLUSH_CONCURRENCY = 8

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
  /** The shards' directory exists (created at the first flush, not before every file). */
  private dirReady = false
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

  /**
   * Writes the dirty shards, up to `FLUSH_CONCURRENCY` files at a time so that the file-system work of
   * one overlaps the serialisation of the next. Every file is still written atomically (lowdb: temp file
   * + rename), so `kill -9` leaves each shard old or new. A shard that was not written stays dirty.
   */
  async flush(): Promise<FlushResult> {
    const result: FlushResult = { bytes: 0, files: 0, maxSerializeMs: 0 }
    const pending = [...this.dirty]
    this.dirty.clear()
    if (pending.length === 0) return result
    const unwritten = new Set(pending)
    let next = 0
    let failure: { err: unknown } | undefined
    const worker = async () => {
      while (failure === undefined && next < pending.length) {
        const shard = pending[next++] as number
        try {
          const written = await this.writeShard(shard)
          if (written) {
            result.bytes += written.bytes
            result.files++
            result.maxSerializeMs = Math.max(result.maxSerializeMs, written.serializeMs)
          }
          unwritten.delete(shard)
        } catch (err) {
          failure ??= { err }
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await Promise.all(Array.from({ length: Math.min(FLUSH_CONCURRENCY, pending.length) }, worker))
    if (failure) {
      for (const s of unwritten) this.dirty.add(s)
      throw failure.err
    }
    return result
  }

  private async writeShard(shard: number): Promise<{ bytes: number; serializeMs: number } | undefined> {
    const file = this.files[shard]
    const path = this.paths[shard]
    const part = this.parts[shard]
    if (!file || !path || !part) return undefined
    if (!this.dirReady) {
      await mkdir(dirname(path), { recursive: true })
      this.dirReady = true
    }
    const data = { schemaVersion: this.schemaVersion, items: [...part.values()] }
    // `write` serialises synchronously before its first await: the figures are this shard's.
    let writing = file.write(data)
    const written = { bytes: this.lastBytes, serializeMs: this.lastSerializeMs }
    try {
      await writing
    } catch (err) {
      // The directory was removed while the hub ran: create it again once and retry.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await mkdir(dirname(path), { recursive: true })
      writing = file.write(data)
      await writing
    }
    return written
  }
}
