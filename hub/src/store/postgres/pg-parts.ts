/**
 * Collections, logs and documents of the PostgreSQL engine. Collections live in memory (loaded at
 * open, reads synchronous: store README) and queue their rows in the writer; logs and documents are
 * read from the database, with what is not committed yet served from the writer's queue.
 */
import type pg from 'pg'
import { StorageError } from '../errors.js'
import type { AppendLog, BlobStore, Collection, DocStore, RemoteChange } from '../types.js'
import type { Guard, PgWriter } from './pg-writer.js'

/**
 * The hub's JSON text of a value, or `UNSERIALIZABLE` before anything changes (a cycle, nesting the
 * serialiser cannot handle).
 */
export function serialise(what: string, value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    throw new StorageError('UNSERIALIZABLE', `${what} cannot be stored: ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (text === undefined) throw new StorageError('UNSERIALIZABLE', `${what} cannot be stored: not JSON`)
  return text
}

export class PgCollection<T extends { id: string }> implements Collection<T> {
  private readonly byId = new Map<string, T>()
  /** The version of each record as stored (optimistic concurrency later compares it). */
  private readonly versions = new Map<string, number>()

  constructor(
    readonly name: string,
    private readonly writer: PgWriter,
    /** Guarded puts (`pg-writer.ts`): the record's applied per-device sequence. */
    private readonly guardOf?: (record: T) => Guard,
    /** Told of every change another hub made (`applyRemote`). */
    private readonly onRemote?: (change: RemoteChange) => void,
  ) {
    if (guardOf) writer.guarded.add(name)
  }

  /**
   * Another hub's committed write (the change feed, or a refused put reloaded): memory takes the stored
   * record (`doc` undefined: deleted) without queuing anything, and listeners hear of it.
   */
  applyRemote(id: string, doc: string | undefined, version: number): void {
    if (doc === undefined) {
      if (!this.byId.delete(id)) return
      this.versions.delete(id)
      this.onRemote?.({ collection: this.name, id, record: undefined })
      return
    }
    let record: T
    try {
      record = JSON.parse(doc) as T
    } catch {
      return
    }
    this.byId.set(id, record)
    this.versions.set(id, version)
    this.onRemote?.({ collection: this.name, id, record })
  }

  async load(pool: pg.Pool): Promise<void> {
    const { rows } = await pool.query<{ id: string; doc: string; version: string }>(
      'SELECT id, doc, version::text AS version FROM vigil_collections WHERE collection = $1',
      [this.name],
    )
    for (const row of rows) {
      let doc: T
      try {
        doc = JSON.parse(row.doc) as T
      } catch (err) {
        throw new StorageError(
          'STORE_CORRUPT',
          `vigil_collections ${this.name}/${row.id}: not valid JSON (${(err as Error).message})`,
        )
      }
      this.byId.set(row.id, doc)
      this.versions.set(row.id, Number(row.version))
    }
  }

  get(id: string): T | undefined {
    return this.byId.get(id)
  }

  values(): T[] {
    return [...this.byId.values()]
  }

  get size(): number {
    return this.byId.size
  }

  versionOf(id: string): number | undefined {
    return this.versions.get(id)
  }

  /**
   * Takes the database's row into memory (a conditional write read it under lock: another hub may
   * have written it since this hub loaded it). Not queued: it is what the database holds.
   */
  adopt(id: string, doc: T, version: number): void {
    this.byId.set(id, doc)
    this.versions.set(id, version)
  }

  put(record: T): void {
    const doc = serialise(`${this.name}/${record.id}`, record)
    const version = (this.versions.get(record.id) ?? 0) + 1
    this.writer.putRecord(this.name, record.id, doc, version, this.guardOf?.(record))
    this.versions.set(record.id, version)
    this.byId.set(record.id, record)
  }

  /** One row per record (the writer's rows are per record already: nothing to share). */
  putMany(records: readonly T[]): void {
    const docs = records.map((r) => serialise(`${this.name}/${r.id}`, r))
    for (const [i, record] of records.entries()) {
      const version = (this.versions.get(record.id) ?? 0) + 1
      this.writer.putRecord(this.name, record.id, docs[i] as string, version, this.guardOf?.(record))
      this.versions.set(record.id, version)
      this.byId.set(record.id, record)
    }
  }

  putVolatile(record: T): void {
    const held = this.byId.get(record.id)
    if (held === record) return
    if (held === undefined) {
      this.put(record)
      return
    }
    this.byId.set(record.id, record)
  }

  delete(id: string): boolean {
    if (!this.byId.has(id)) return false
    this.writer.deleteRecord(this.name, id)
    this.byId.delete(id)
    this.versions.delete(id)
    return true
  }
}

const PAGE = 1000

export class PgLog<T> implements AppendLog<T> {
  constructor(
    readonly name: string,
    private readonly pool: pg.Pool,
    private readonly writer: PgWriter,
    /** A key unique within the log: an entry whose key is stored already is not stored again. */
    private readonly dedupOf?: (entry: T) => string | undefined,
  ) {}

  append(entry: T, dedupKey?: string): void {
    this.writer.append(
      this.name,
      serialise(`an entry of ${this.name}`, entry),
      dedupKey ?? this.dedupOf?.(entry),
    )
  }

  async read(opts: { limit?: number; offset?: number; filter?: (entry: T) => boolean } = {}): Promise<T[]> {
    // Taken together, synchronously: what is not committed yet, and the highest seq this hub knows it
    // committed. A round of this hub committing during the query below gets seqs above that bound and
    // is left out (it is in `unsaved`), so nothing is shown twice; other hubs' entries have no bound.
    const own = this.writer.lastSeq.get(this.name) ?? 0n
    const unsaved = this.writer.unsavedEntries(this.name)
    if (!unsaved.some((e) => e.dedup !== undefined)) return this.list(this.pool, own, unsaved, opts)
    // Unsaved entries with dedup keys: which keys are stored and the rows listed are read in one
    // snapshot, so that a copy another hub stores meanwhile is listed once (stored, or unsaved here).
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      try {
        return await this.list(client, own, await this.notRefused(client, unsaved, own), opts)
      } finally {
        await client.query('COMMIT').catch(() => undefined)
      }
    } finally {
      client.release()
    }
  }

  private async list(
    db: pg.Pool | pg.PoolClient,
    own: bigint,
    unsaved: { entry: string }[],
    opts: { limit?: number; offset?: number; filter?: (entry: T) => boolean },
  ): Promise<T[]> {
    const { limit = 100, offset = 0, filter } = opts
    const out: T[] = []
    let skipped = 0
    const take = (entry: T) => {
      if (filter && !filter(entry)) return
      if (skipped++ < offset) return
      out.push(entry)
    }
    for (let i = unsaved.length - 1; i >= 0 && out.length < limit; i--)
      take(JSON.parse((unsaved[i] as { entry: string }).entry) as T)
    let below: bigint | null = null
    while (out.length < limit) {
      // Without a filter the offset is skipped by the database; with one, page through.
      const want = filter ? PAGE : Math.min(PAGE, limit - out.length + Math.max(0, offset - skipped))
      const { rows }: { rows: { s: string; entry: string }[] } = await db.query<{
        s: string
        entry: string
      }>(
        `SELECT l.seq::text AS s, l.entry FROM vigil_logs l
         WHERE l.log = $1 AND ($2::bigint IS NULL OR l.seq < $2) AND (l.seq <= $3 OR l.hub IS DISTINCT FROM $4)
         ORDER BY l.seq DESC LIMIT $5`,
        [this.name, below === null ? null : below.toString(), own.toString(), this.writer.hubId, want],
      )
      for (const row of rows) {
        if (out.length >= limit) break
        take(JSON.parse(row.entry) as T)
      }
      const last = rows.at(-1)
      if (!last || rows.length < want) break
      below = BigInt(last.s)
    }
    return out
  }

  /**
   * Unsaved entries less those the database will refuse by their dedup key: a key stored already (as
   * the listing sees it: other hubs' rows, and this hub's up to `own`) or an earlier unsaved entry's
   * (a message sent twice, both copies queued here).
   */
  private async notRefused(
    db: pg.PoolClient,
    entries: { entry: string; dedup?: string }[],
    own: bigint,
  ): Promise<{ entry: string; dedup?: string }[]> {
    const seen = new Set<string>()
    const kept: { entry: string; dedup?: string }[] = []
    for (const e of entries) {
      if (e.dedup !== undefined) {
        if (seen.has(e.dedup)) continue
        seen.add(e.dedup)
      }
      kept.push(e)
    }
    const { rows } = await db.query<{ dedup: string }>(
      `SELECT dedup FROM vigil_logs
       WHERE log = $1 AND dedup = ANY($2::text[]) AND (seq <= $3 OR hub IS DISTINCT FROM $4)`,
      [this.name, [...seen], own.toString(), this.writer.hubId],
    )
    const stored = new Set(rows.map((r) => r.dedup))
    return kept.filter((e) => e.dedup === undefined || !stored.has(e.dedup))
  }
}

/** `vigil_blobs` (content-addressed) or `vigil_docs` (keyed) rows of one kind/store. */
export class PgDocs<T> implements BlobStore<T>, DocStore<T> {
  private readonly known = new Set<string>()

  constructor(
    private readonly kind: 'blob' | 'doc',
    readonly name: string,
    private readonly pool: pg.Pool,
    private readonly writer: PgWriter,
    private readonly commit: () => Promise<void>,
  ) {}

  private get table(): string {
    return this.kind === 'blob' ? 'vigil_blobs' : 'vigil_docs'
  }

  private get cols(): [string, string] {
    return this.kind === 'blob' ? ['kind', 'hash'] : ['store', 'key']
  }

  async load(): Promise<void> {
    const [group, key] = this.cols
    const { rows } = await this.pool.query<{ k: string }>(
      `SELECT ${key} AS k FROM ${this.table} WHERE ${group} = $1`,
      [this.name],
    )
    for (const r of rows) this.known.add(r.k)
  }

  /** `blob:<kind>` or `doc:<store>`: how the change feed names these documents. */
  get feedName(): string {
    return `${this.kind}:${this.name}`
  }

  /** Another hub stored (`present`) or deleted the document (the change feed). */
  applyRemote(key: string, present: boolean): void {
    if (present) this.known.add(key)
    else this.known.delete(key)
  }

  has(key: string): boolean {
    return this.known.has(key)
  }

  keys(): string[] {
    return [...this.known]
  }

  get size(): number {
    return this.known.size
  }

  async get(key: string): Promise<T | undefined> {
    const unsaved = this.writer.unsavedDoc(this.kind, this.name, key)
    if (unsaved === null) return undefined
    if (unsaved !== undefined) return JSON.parse(unsaved) as T
    if (!this.known.has(key)) return undefined
    const [group, col] = this.cols
    const { rows } = await this.pool.query<{ doc: string }>(
      `SELECT doc FROM ${this.table} WHERE ${group} = $1 AND ${col} = $2`,
      [this.name, key],
    )
    const row = rows[0]
    if (!row) return undefined
    try {
      return JSON.parse(row.doc) as T
    } catch (err) {
      throw new StorageError(
        'STORE_CORRUPT',
        `${this.table} ${this.name}/${key}: not valid JSON (${(err as Error).message})`,
      )
    }
  }

  async put(key: string, value: T): Promise<void> {
    if (this.kind === 'blob') {
      if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError(`not a sha256 hash: ${key}`)
      // Content-addressed: a known hash is already stored (or queued: the commit below covers it).
      if (this.known.has(key) && this.writer.unsavedDoc('blob', this.name, key) === undefined) return
    } else if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(key)) {
      throw new TypeError(`not a valid document key: ${key}`)
    }
    const text = serialise(`${this.name}/${key}`, value)
    if (this.kind === 'blob') {
      if (this.writer.unsavedDoc('blob', this.name, key) !== text) this.writer.putBlob(this.name, key, text)
    } else this.writer.putDoc(this.name, key, text)
    this.known.add(key)
    await this.commit()
  }

  async delete(key: string): Promise<boolean> {
    if (!this.known.has(key)) return false
    this.known.delete(key)
    if (this.kind === 'blob') this.writer.deleteBlob(this.name, key)
    else this.writer.deleteDoc(this.name, key)
    await this.commit()
    return true
  }

  /** All in the next commit round: one transaction, durable once resolved. */
  async deleteMany(keys: string[]): Promise<void> {
    let any = false
    for (const key of keys) {
      if (!this.known.delete(key)) continue
      any = true
      if (this.kind === 'blob') this.writer.deleteBlob(this.name, key)
      else this.writer.deleteDoc(this.name, key)
    }
    if (any) await this.commit()
  }
}
