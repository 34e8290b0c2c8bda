/**
 * Schema migrations of the PostgreSQL engine: plain numbered SQL files (`hub/sql/postgres/NNN_name.sql`)
 * and a `vigil_migrations` table that records which ran. They are applied at start, each in its own
 * transaction, under a PostgreSQL advisory lock: several hubs starting at once on an empty database
 * apply each file exactly once (the others wait for the lock, then find it applied).
 */
import { readdir, readFile } from 'node:fs/promises'
import type pg from 'pg'
import { StorageError } from '../errors.js'

/** Key of the advisory lock held while migrating ("vigil" + 1). */
export const MIGRATION_LOCK_KEY = 0x76_69_67_69_6c_01

/** `hub/sql/postgres/` from both `src/store/postgres/` and `dist/store/postgres/`. */
export const MIGRATIONS_DIR = new URL('../../../sql/postgres/', import.meta.url)

export interface Migration {
  version: number
  name: string
  sql: string
}

export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const out: Migration[] = []
  for (const file of await readdir(dir)) {
    const m = /^(\d{3,})_([A-Za-z0-9_-]+)\.sql$/.exec(file)
    if (!m?.[1] || !m[2]) continue
    out.push({ version: Number(m[1]), name: m[2], sql: await readFile(new URL(file, dir), 'utf8') })
  }
  out.sort((a, b) => a.version - b.version)
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.version}_${m.name}: expected number ${i + 1}`)
  })
  return out
}

/** Applies every migration not yet recorded; answers the versions it applied. */
export async function applyMigrations(client: pg.ClientBase, migrations: Migration[]): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS vigil_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const { rows } = await client.query<{ version: number }>('SELECT version FROM vigil_migrations')
    const done = new Set(rows.map((r) => r.version))
    const newest = Math.max(0, ...done)
    const known = migrations.at(-1)?.version ?? 0
    if (newest > known)
      throw new StorageError(
        'STORE_CORRUPT',
        `the database has store schema ${newest}, newer than this hub knows (${known}): upgrade the hub`,
      )
    const applied: number[] = []
    for (const m of migrations) {
      if (done.has(m.version)) continue
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query('INSERT INTO vigil_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      }
      applied.push(m.version)
    }
    return applied
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined)
  }
}
