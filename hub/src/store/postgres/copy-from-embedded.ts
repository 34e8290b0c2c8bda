/**
 * `vigil-hub migrate --to postgres://…`: copies an embedded data directory (hub stopped: the store
 * lock says so) into an empty PostgreSQL database through the two engines' own interfaces, then counts
 * what each side holds per collection, log, blob kind and document store.
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '../errors.js'
import type { LowdbStore } from '../lowdb-store.js'
import type { PgStore } from './pg-store.js'

export interface CopyCount {
  kind: 'collection' | 'log' | 'blobs' | 'docs'
  name: string
  source: number
  target: number
}

/** Keyed document stores of data directories written before meta.json listed them. */
const EARLIER_DOC_STORES = ['advisory-db']
const BATCH = 2000

export async function copyEmbeddedToPostgres(
  source: LowdbStore,
  target: PgStore,
  progress: (line: string) => void = () => {},
): Promise<CopyCount[]> {
  const { rows } = await target.pool.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM vigil_collections) + (SELECT count(*) FROM vigil_logs)
      + (SELECT count(*) FROM vigil_blobs) + (SELECT count(*) FROM vigil_docs))::text AS n`,
  )
  if (Number(rows[0]?.n ?? 0) > 0)
    throw new StorageError(
      'STORAGE_FAILED',
      'the target database already holds hub data: migrate into an empty one',
    )
  const contents = source.contents()
  const docNames = new Set(contents.docs)
  for (const name of EARLIER_DOC_STORES) {
    if (
      await access(join(source.dataDir, name)).then(
        () => true,
        () => false,
      )
    )
      docNames.add(name)
  }
  const counts: CopyCount[] = []
  for (const { name, shards } of contents.collections.sort((a, b) => a.name.localeCompare(b.name))) {
    const from = await source.collection(name, { shards })
    const to = await target.collection(name)
    let n = 0
    for (const record of from.values()) {
      to.put(record)
      if (++n % BATCH === 0) await target.commit()
    }
    await target.commit()
    counts.push({ kind: 'collection', name, source: from.size, target: 0 })
    progress(`collection ${name}: ${n}`)
  }
  for (const name of contents.logs.sort()) {
    const from = await source.log<unknown>(name)
    const to = await target.log<unknown>(name)
    let n = 0
    for await (const entry of from.entries()) {
      to.append(entry)
      if (++n % BATCH === 0) await target.commit()
    }
    await target.commit()
    counts.push({ kind: 'log', name, source: n, target: 0 })
    progress(`log ${name}: ${n}`)
  }
  const copyDocs = async (
    kind: 'blobs' | 'docs',
    name: string,
    from: { keys(): string[]; get(k: string): Promise<unknown> },
    to: { put(k: string, v: unknown): Promise<void> },
  ) => {
    const keys = from.keys()
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200)
      const values = await Promise.all(chunk.map((k) => from.get(k)))
      await Promise.all(chunk.map((k, j) => to.put(k, values[j])))
    }
    counts.push({ kind, name, source: keys.length, target: 0 })
    progress(`${kind} ${name}: ${keys.length}`)
  }
  await copyDocs('blobs', 'inventories', source.inventories, target.inventories)
  await copyDocs('blobs', 'hardening', source.hardening, target.hardening)
  for (const name of [...docNames].sort())
    await copyDocs('docs', name, await source.docs(name), await target.docs(name))
  return verify(target, counts)
}

/** Fills in what the database holds for each counted item (by query, not from the engine's memory). */
async function verify(target: PgStore, counts: CopyCount[]): Promise<CopyCount[]> {
  const q = async (sql: string) => {
    const { rows } = await target.pool.query<{ name: string; n: string }>(sql)
    return new Map(rows.map((r) => [r.name, Number(r.n)]))
  }
  const held = {
    collection: await q('SELECT collection AS name, count(*)::text AS n FROM vigil_collections GROUP BY 1'),
    log: await q('SELECT log AS name, count(*)::text AS n FROM vigil_logs GROUP BY 1'),
    blobs: await q('SELECT kind AS name, count(*)::text AS n FROM vigil_blobs GROUP BY 1'),
    docs: await q('SELECT store AS name, count(*)::text AS n FROM vigil_docs GROUP BY 1'),
  }
  return counts.map((c) => ({ ...c, target: held[c.kind].get(c.name) ?? 0 }))
}
