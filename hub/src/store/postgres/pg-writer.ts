/**
 * The write queue of the PostgreSQL engine, and its one statement per group-commit round.
 *
 * Writers change memory and queue a row; a round takes the whole queue synchronously and sends it as
 * ONE statement (data-modifying CTEs over `unnest`ed parameters): one round-trip, one transaction, however
 * many messages the round carries. Because a round is one transaction, whatever a synchronous
 * `atomic(fn)` queued is committed all together or not at all. Several writes of one key within a
 * round collapse to the last (the transaction would show only the last anyway).
 *
 * A failed round (connection lost, disk full) puts its rows back in front of what was queued since,
 * unless a newer write of the same key superseded them, so nothing is lost and the retry writes it.
 */
import type pg from 'pg'
import { StorageError } from '../errors.js'
import type { Durable } from '../group-commit.js'

/**
 * A put of a guarded record (a device) is refused when the stored row's version is not below this
 * one's (another hub wrote the record since this hub's copy was taken), or when the stored row, in the
 * same epoch, has applied a newer message of a kind than this put says it holds (`kinds`: the last
 * applied seq per message kind): an older message's state never overwrites a newer one's of its kind,
 * whichever hub writes last. An older message of another kind (a slow inventory after a quick state)
 * is applied to the fresh row. Kept in `seq_epoch`/`seq_last`/`seq_kinds` of the row.
 */
export interface Guard {
  epoch: string | null
  last: number | null
  /** JSON text of the per-kind seqs (`{"state":12,"inventory":11}`), or null. */
  kinds: string | null
}
type KeyedOp = { op: 'put'; doc: string; version: number; guard?: Guard } | { op: 'del' }
type DocOp = { op: 'put'; doc: string } | { op: 'del' }

export interface LogRow {
  log: string
  entry: string
  /** Unique within the log (e.g. device, epoch and seq of a device event): a second one is not stored. */
  dedup?: string
}

/**
 * Records whose put a round refused (another hub's newer write is in the database), and log entries it
 * did not store because their dedup key was stored already (`collection` is then the log's name and
 * `id` the key; `duplicate` set).
 */
export type Refused = { collection: string; id: string; duplicate?: true }[]

/** PostgreSQL's limit of parameters per statement, with room for the fixed ones. */
const MAX_PARAMS = 65_000

/**
 * The round's statement. Small fields (names, ids, versions) go as text arrays; the documents and log
 * entries (JSON text, up to megabytes each) go as parameters of their own, `ARRAY[$n, …]`: a parameter
 * is taken as it is, while a text-array literal must be escaped by the client and parsed by the server
 * (measured 4–6× slower for 50 inventories of 93 KB). Past the parameter limit a group goes as one
 * array parameter.
 */
function roundStatement(p: (string | null)[][], docs: string[][]): { text: string; values: unknown[] } {
  const values: unknown[] = []
  const param = (v: unknown) => {
    values.push(v)
    return `$${values.length}`
  }
  const small = p.map((a) => param(a))
  let budget = MAX_PARAMS - small.length
  const big = docs.map((group) => {
    if (group.length === 0) return 'ARRAY[]::text[]'
    if (group.length > budget) return `${param(group)}::text[]`
    budget -= group.length
    return `ARRAY[${group.map((d) => param(d)).join(',')}]::text[]`
  })
  const [cColl, cId, cVer, dColl, dId, bKind, bHash, bdKind, bdHash, sStore, sKey, sdStore, sdKey, lLog] =
    small
  const [cGuard, cEpoch, cLast, lDedup, cKinds] = small.slice(14)
  const [cDoc, bDoc, sDoc, lEntry] = big
  // A guarded put (a device record) is applied only over an older version, and not over a row that
  // applied a newer message of a kind in the same epoch (`Guard`): ON CONFLICT's WHERE is evaluated on
  // the latest committed row under its lock, so two hubs writing one device at once cannot both pass,
  // and the older message's write cannot pass the newer one's.
  const text = `WITH
  cput AS (
    INSERT INTO vigil_collections AS c (collection, id, doc, version, seq_epoch, seq_last, seq_kinds)
    SELECT u.collection, u.id, u.doc, u.version, u.epoch, u.last, u.kinds::jsonb
    FROM unnest(${cColl}::text[], ${cId}::text[], ${cDoc}, ${cVer}::bigint[], ${cEpoch}::text[], ${cLast}::bigint[], ${cKinds}::text[])
      AS u(collection, id, doc, version, epoch, last, kinds)
    ON CONFLICT (collection, id) DO UPDATE
      SET doc = excluded.doc, version = GREATEST(c.version + 1, excluded.version),
          seq_epoch = excluded.seq_epoch, seq_last = excluded.seq_last, seq_kinds = excluded.seq_kinds
      WHERE NOT (c.collection = ANY(${cGuard}::text[]))
        OR (c.version < excluded.version
          AND (c.seq_kinds IS NULL OR excluded.seq_kinds IS NULL OR c.seq_epoch IS DISTINCT FROM excluded.seq_epoch
            OR NOT EXISTS (SELECT 1 FROM jsonb_each_text(c.seq_kinds) AS k(kind, seq)
              WHERE k.seq::bigint > coalesce((excluded.seq_kinds ->> k.kind)::bigint, 0))))
    RETURNING collection, id
  ),
  cdel AS (
    DELETE FROM vigil_collections c USING unnest(${dColl}::text[], ${dId}::text[]) AS x(collection, id)
    WHERE c.collection = x.collection AND c.id = x.id
  ),
  bput AS (
    INSERT INTO vigil_blobs (kind, hash, doc)
    SELECT * FROM unnest(${bKind}::text[], ${bHash}::text[], ${bDoc}) ON CONFLICT DO NOTHING
  ),
  bdel AS (
    DELETE FROM vigil_blobs b USING unnest(${bdKind}::text[], ${bdHash}::text[]) AS x(kind, hash)
    WHERE b.kind = x.kind AND b.hash = x.hash
  ),
  dput AS (
    INSERT INTO vigil_docs AS d (store, key, doc)
    SELECT * FROM unnest(${sStore}::text[], ${sKey}::text[], ${sDoc})
    ON CONFLICT (store, key) DO UPDATE SET doc = excluded.doc
  ),
  ddel AS (
    DELETE FROM vigil_docs d USING unnest(${sdStore}::text[], ${sdKey}::text[]) AS x(store, key)
    WHERE d.store = x.store AND d.key = x.key
  ),
  lins AS (
    INSERT INTO vigil_logs (log, entry, dedup)
    SELECT u.log, u.entry, u.dedup
    FROM unnest(${lLog}::text[], ${lEntry}, ${lDedup}::text[]) WITH ORDINALITY AS u(log, entry, dedup, ord)
    ORDER BY u.ord
    ON CONFLICT (log, dedup) WHERE dedup IS NOT NULL DO NOTHING
    RETURNING log, seq, dedup
  )
SELECT 'log' AS kind, log AS a, max(seq)::text AS b FROM lins GROUP BY log
UNION ALL
SELECT 'refused', u.collection, u.id FROM unnest(${cColl}::text[], ${cId}::text[]) AS u(collection, id)
WHERE u.collection = ANY(${cGuard}::text[])
  AND NOT EXISTS (SELECT 1 FROM cput WHERE cput.collection = u.collection AND cput.id = u.id)
UNION ALL
SELECT 'duplicate', u.log, u.dedup FROM unnest(${lLog}::text[], ${lDedup}::text[]) AS u(log, dedup)
WHERE u.dedup IS NOT NULL AND NOT EXISTS (SELECT 1 FROM lins WHERE lins.log = u.log AND lins.dedup = u.dedup)`
  return { text, values }
}

/** A key of two parts (collection and id, kind and hash …) that cannot collide. */
const key2 = (a: string, b: string) => `${a}\u0000${b}`
const split2 = (k: string): [string, string] => {
  const i = k.indexOf('\u0000')
  return [k.slice(0, i), k.slice(i + 1)]
}

export interface Batch {
  records: Map<string, KeyedOp>
  blobs: Map<string, DocOp>
  docs: Map<string, DocOp>
  logs: LogRow[]
}

const emptyBatch = (): Batch => ({ records: new Map(), blobs: new Map(), docs: new Map(), logs: [] })

/** The one statement that writes `batch` (a round, or a conditional write's changes). */
function statementOf(batch: Batch, guarded: ReadonlySet<string>): { text: string; values: unknown[] } {
  // Small fields: 0-2 collection puts (collection, id, version), 3-4 deletes, 5-6 blob puts,
  // 7-8 blob deletes, 9-10 doc puts, 11-12 doc deletes, 13 log names, 14 guarded collections,
  // 15-16 the puts' guards (epoch, last seq), 17 log dedup keys, 18 the puts' per-kind seqs (JSON).
  // Documents: collection docs, blob docs, doc docs, log entries.
  const p: (string | null)[][] = Array.from({ length: 19 }, () => [])
  p[14] = [...guarded]
  const docs: string[][] = [[], [], [], []]
  const push = (i: number, ...values: (string | null)[]) => {
    values.forEach((v, j) => {
      p[i + j]?.push(v)
    })
  }
  for (const [k, op] of batch.records) {
    const [c, id] = split2(k)
    if (op.op === 'put') {
      push(0, c, id, String(op.version))
      push(15, op.guard?.epoch ?? null, op.guard?.last == null ? null : String(op.guard.last))
      push(18, op.guard?.kinds ?? null)
      docs[0]?.push(op.doc)
    } else push(3, c, id)
  }
  for (const [k, op] of batch.blobs) {
    const [kind, hash] = split2(k)
    if (op.op === 'put') {
      push(5, kind, hash)
      docs[1]?.push(op.doc)
    } else push(7, kind, hash)
  }
  for (const [k, op] of batch.docs) {
    const [store, key] = split2(k)
    if (op.op === 'put') {
      push(9, store, key)
      docs[2]?.push(op.doc)
    } else push(11, store, key)
  }
  for (const row of batch.logs) {
    push(13, row.log)
    push(17, row.dedup ?? null)
    docs[3]?.push(row.entry)
  }
  return roundStatement(p, docs)
}

/** Maps a PostgreSQL or connection error to the store's codes. */
export function pgStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err
  const e = err as { code?: string; message?: string }
  // Class 53: insufficient resources. 53100 disk_full is the one that space returning heals.
  if (e?.code === '53100')
    return new StorageError('STORAGE_FULL', `storage full (PostgreSQL: ${e.message ?? ''})`, { cause: err })
  return new StorageError(
    'STORAGE_FAILED',
    `storage failed (PostgreSQL${e?.code ? ` ${e.code}` : ''}: ${e?.message ?? String(err)})`,
    { cause: err },
  )
}

export class PgWriter implements Durable {
  private queued: Batch = emptyBatch()
  /** The batch a running round is sending (shown to log readers until it committed). */
  private sending: Batch | undefined
  /** Per log: the highest seq this store knows committed. */
  readonly lastSeq = new Map<string, bigint>()
  roundTrips = 0
  /** A liveness round is due (an idle hub still notices a lost database: `probe()`). */
  private probeDue = false

  /** Collections whose puts are guarded (`Guard`). */
  readonly guarded = new Set<string>()
  /**
   * Called with the puts a round refused, before the round's waiters are answered: the change feed
   * reloads those records from the database so that memory shows what is stored.
   */
  onRefused: ((refused: Refused) => Promise<void>) | undefined

  constructor(
    private readonly pool: pg.Pool,
    /** This hub's id (`vigil.hub` of its connections). */
    readonly hubId: string,
    private readonly onCommitted?: (batch: { records: number; logs: number }) => void,
  ) {}

  putRecord(collection: string, id: string, doc: string, version: number, guard?: Guard): void {
    const k = key2(collection, id)
    this.queued.records.delete(k)
    this.queued.records.set(k, guard ? { op: 'put', doc, version, guard } : { op: 'put', doc, version })
  }

  /** Whether a write of the record is queued or being sent (memory is ahead of the database). */
  isPending(collection: string, id: string): boolean {
    return this.touches(collection, id)
  }

  /**
   * Batches a conditional write captured and has not committed yet (`capture` → `settled`): memory
   * holds their records, so the change feed must not put an older stored row over them meanwhile.
   */
  private readonly captured = new Set<Batch>()

  /** A captured batch's transaction ended (committed, or failed and requeued). */
  settled(batch: Batch): void {
    this.captured.delete(batch)
  }

  deleteRecord(collection: string, id: string): void {
    const k = key2(collection, id)
    this.queued.records.delete(k)
    this.queued.records.set(k, { op: 'del' })
  }

  putBlob(kind: string, hash: string, doc: string): void {
    this.queued.blobs.set(key2(kind, hash), { op: 'put', doc })
  }

  deleteBlob(kind: string, hash: string): void {
    this.queued.blobs.set(key2(kind, hash), { op: 'del' })
  }

  putDoc(store: string, key: string, doc: string): void {
    this.queued.docs.set(key2(store, key), { op: 'put', doc })
  }

  deleteDoc(store: string, key: string): void {
    this.queued.docs.set(key2(store, key), { op: 'del' })
  }

  append(log: string, entry: string, dedup?: string): void {
    this.queued.logs.push(dedup === undefined ? { log, entry } : { log, entry, dedup })
  }

  /** Entries of `log` not committed yet, oldest first (the newest of the log), with their dedup keys. */
  unsavedEntries(log: string): { entry: string; dedup?: string }[] {
    const from = (b: Batch | undefined) => (b ? b.logs.filter((r) => r.log === log) : [])
    return [...from(this.sending), ...from(this.queued)]
  }

  /** A document written but not committed yet (`undefined`: none; `null`: a delete is queued). */
  unsavedDoc(kind: 'blob' | 'doc', store: string, key: string): string | null | undefined {
    const k = key2(store, key)
    for (const b of [this.queued, this.sending]) {
      const op = b && (kind === 'blob' ? b.blobs : b.docs).get(k)
      if (op) return op.op === 'put' ? op.doc : null
    }
    return undefined
  }

  /** The next round runs even with nothing queued (an empty statement): health follows the database. */
  probe(): void {
    this.probeDue = true
  }

  hasPending(): boolean {
    const q = this.queued
    return this.probeDue || q.records.size > 0 || q.blobs.size > 0 || q.docs.size > 0 || q.logs.length > 0
  }

  async persist(): Promise<void> {
    const batch = this.queued
    this.queued = emptyBatch()
    this.probeDue = false
    this.sending = batch
    let result: pg.QueryResult<{ kind: string; a: string; b: string }>
    try {
      this.roundTrips++
      result = await this.pool.query<{ kind: string; a: string; b: string }>(statementOf(batch, this.guarded))
    } catch (err) {
      this.restore(batch)
      this.sending = undefined
      throw pgStorageError(err)
    }
    const refused = this.noteRows(result.rows)
    this.sending = undefined
    // The round is committed whatever happens here; a failed reload is the change feed's to retry.
    if (refused.length > 0) await this.onRefused?.(refused).catch(() => undefined)
    this.onCommitted?.({ records: batch.records.size, logs: batch.logs.length })
  }

  /** Notes the logs' committed seqs (they only rise) and answers the writes the database refused. */
  private noteRows(rows: { kind: string; a: string; b: string }[]): Refused {
    const refused: Refused = []
    for (const row of rows) {
      if (row.kind === 'log') {
        const seq = BigInt(row.b)
        const held = this.lastSeq.get(row.a)
        if (held === undefined || seq > held) this.lastSeq.set(row.a, seq)
      } else if (row.kind === 'duplicate') refused.push({ collection: row.a, id: row.b, duplicate: true })
      else refused.push({ collection: row.a, id: row.b })
    }
    return refused
  }

  /**
   * Runs `job` (synchronous) with its writes taken aside instead of queued (`pg-conditional.ts` sends
   * them in a transaction of its own). Queued writes of the records it writes are superseded (memory
   * holds the job's records now).
   */
  capture<R>(job: () => R): { result: R; batch: Batch } {
    const queued = this.queued
    this.queued = emptyBatch()
    let result: R
    try {
      result = job()
    } catch (err) {
      // What a failing job changed in memory is queued as usual (as the embedded engine's `atomic`).
      const partial = this.queued
      this.queued = queued
      for (const [k, v] of partial.records) {
        this.queued.records.delete(k)
        this.queued.records.set(k, v)
      }
      for (const [k, v] of partial.blobs) this.queued.blobs.set(k, v)
      for (const [k, v] of partial.docs) this.queued.docs.set(k, v)
      this.queued.logs.push(...partial.logs)
      throw err
    }
    const batch = this.queued
    this.queued = queued
    for (const k of batch.records.keys()) queued.records.delete(k)
    this.captured.add(batch)
    return { result, batch }
  }

  /** Sends a captured batch on `client` (inside the caller's transaction). */
  async sendOn(client: pg.PoolClient, batch: Batch): Promise<void> {
    this.roundTrips++
    const result = await client.query<{ kind: string; a: string; b: string }>(
      statementOf(batch, this.guarded),
    )
    const refused = this.noteRows(result.rows)
    // The caller checked the versions under FOR UPDATE; a refusal here is another hub's newer write.
    if (refused.length > 0) await this.onRefused?.(refused).catch(() => undefined)
  }

  /** A captured batch whose transaction failed is queued like a failed round (written by the retry). */
  requeue(batch: Batch): void {
    this.restore(batch)
  }

  /** Whether a write of the record is queued or being sent (memory is newer than the database). */
  touches(collection: string, id: string): boolean {
    const k = key2(collection, id)
    if (this.queued.records.has(k) || this.sending?.records.has(k) === true) return true
    for (const b of this.captured) if (b.records.has(k)) return true
    return false
  }

  /** Puts a failed batch back in front of what was queued since (newer writes of a key win). */
  private restore(failed: Batch): void {
    const later = this.queued
    const merge = <V>(older: Map<string, V>, newer: Map<string, V>) => {
      const out = new Map(older)
      for (const [k, v] of newer) {
        out.delete(k)
        out.set(k, v)
      }
      return out
    }
    this.queued = {
      records: merge(failed.records, later.records),
      blobs: merge(failed.blobs, later.blobs),
      docs: merge(failed.docs, later.docs),
      logs: failed.logs.concat(later.logs),
    }
  }
}
