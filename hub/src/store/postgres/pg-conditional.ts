/**
 * Conditional writes of the PostgreSQL engine (`Store.writeIf`, `../conditional.ts`): optimistic
 * concurrency between hubs. Operator writes are rare, so each is a short transaction of its own, outside
 * the batched group-commit rounds:
 *
 *   BEGIN
 *   SELECT … FROM vigil_collections WHERE collection = $1 AND id = ANY($2) ORDER BY id FOR UPDATE
 *   -- every row at the expected version? else ROLLBACK → VersionConflictError (the current rows)
 *   <the job's writes: the round statement over the batch the job queued (records, history, audit)>
 *   COMMIT
 *
 * The versions compared are the DATABASE's (read under row locks, ids in order so two bulk writes
 * cannot deadlock), so the answer is right even when this hub's memory is stale: another hub's write
 * makes this one fail with its record, and memory takes the rows read. A round of this hub that is
 * writing the same row commits first (the row lock waits for it) and is seen. The job's writes
 * supersede the queued writes of the same records (memory holds the job's records after it); a
 * transaction that fails after the job ran queues its writes like a failed round (the store contract:
 * a write answered 503/507 may still appear).
 */
import type pg from 'pg'
import { conflictsOf, type Expected, VersionConflictError } from '../conditional.js'
import { StorageError } from '../errors.js'
import type { PgCollection } from './pg-parts.js'
import { type PgWriter, pgStorageError } from './pg-writer.js'

interface Row {
  id: string
  doc: string
  version: string
}

export async function writeIfPg<R>(
  pool: pg.Pool,
  writer: PgWriter,
  collection: PgCollection<{ id: string }>,
  expected: Expected[],
  job: () => R,
): Promise<R> {
  const ids = [...new Set(expected.map((e) => e.id))].sort()
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (err) {
    throw pgStorageError(err)
  }
  let open = false
  try {
    await client.query('BEGIN')
    open = true
    const { rows } = await client.query<Row>(
      `SELECT id, doc, version::text AS version FROM vigil_collections
       WHERE collection = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
      [collection.name, ids],
    )
    const found = new Map<string, { record: { id: string }; version: number }>()
    for (const row of rows) {
      let record: { id: string }
      try {
        record = JSON.parse(row.doc) as { id: string }
      } catch (err) {
        throw new StorageError(
          'STORE_CORRUPT',
          `vigil_collections ${collection.name}/${row.id}: not valid JSON (${(err as Error).message})`,
        )
      }
      const version = Number(row.version)
      found.set(row.id, { record, version })
      // Memory catches up with the database, unless this hub holds a newer write of the record.
      if (collection.versionOf(row.id) !== version && !writer.touches(collection.name, row.id))
        collection.adopt(row.id, record, version)
    }
    const conflicts = conflictsOf(expected, (id) => found.get(id))
    if (conflicts.length > 0) {
      await client.query('ROLLBACK')
      open = false
      throw new VersionConflictError(conflicts)
    }
    const { result, batch } = writer.capture(job)
    try {
      await writer.sendOn(client, batch)
      await client.query('COMMIT')
      open = false
    } catch (err) {
      writer.requeue(batch)
      throw err
    } finally {
      writer.settled(batch)
    }
    return result
  } catch (err) {
    if (err instanceof VersionConflictError || err instanceof StorageError) throw err
    // A job's own error (a refused transition) is the caller's; anything from the database is coded.
    if (!isDatabaseError(err)) throw err
    throw pgStorageError(err)
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined)
    client.release()
  }
}

function isDatabaseError(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null
  return (
    !!e &&
    typeof e === 'object' &&
    ((typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) ||
      typeof e.severity === 'string' ||
      /ECONN|ETIMEDOUT|EPIPE|terminat|Connection/i.test(String((err as Error).message)))
  )
}
