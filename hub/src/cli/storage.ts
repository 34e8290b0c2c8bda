/**
 * `vigil-hub backup FILE`, `vigil-hub restore FILE`, `vigil-hub check [--repair]`: the way back after a
 * lost disk or a damaged file (hub/README.md, "Backup and repair").
 */

import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { API_PREFIX, routeRequest } from '@vigil/protocol'
import type { HubConfig } from '../config.js'
import { hardeningContentHash, inventoryContentHash } from '../ingest/content-hash.js'
import { backupStore, checkStore, restoreStore } from '../store/backup.js'
import { lockHolder } from '../store/lock.js'
import { LowdbStore } from '../store/lowdb-store.js'
import { options, UsageError } from './args.js'

export const BACKUP_HELP = `Usage: vigil-hub backup <file.tar.gz> [--hub <url>] [--token=<admin bearer token>]

Writes a consistent backup of VIGIL_DATA_DIR. With the hub stopped it reads the directory itself; while
the hub runs it asks the hub (GET /api/v1/admin/backup) at --hub (default http://127.0.0.1:<VIGIL_HTTP_PORT>)
with an admin token (POST /api/v1/session answers one).`

export const RESTORE_HELP = `Usage: vigil-hub restore <file.tar.gz>

Restores a backup into VIGIL_DATA_DIR (stop the hub first). The backup is unpacked and checked before
it replaces anything; the current directory is kept as <dir>.before-restore-<time>.`

export const CHECK_HELP = `Usage: vigil-hub check [--repair]

Checks VIGIL_DATA_DIR (stop the hub first): every collection file and journal line, and every stored
inventory and hardening report against its content hash. Exit 0 when clean, 1 when damage was found.
--repair moves damaged reports aside (<dir>/damaged/) and makes their devices send them again at their
next connection; a damaged collection file is named with what to do (restore a backup).`

export async function backupCommand(argv: string[], config: HubConfig): Promise<number> {
  if (config.databaseUrl) {
    process.stderr.write(
      `vigil-hub backup: the store is PostgreSQL (VIGIL_DATABASE_URL): use pg_dump / pg_restore and point-in-time recovery (docs/deploy.md)\n`,
    )
    return 2
  }
  const { values, positionals } = options(argv, { hub: 'string', token: 'string' })
  const file = positionals[0]
  if (!file) throw new UsageError('a backup file name is required')
  const running = await lockHolder(config.dataDir)
  if (running === undefined) {
    const store = await LowdbStore.open({ dataDir: config.dataDir, flushIntervalMs: 60_000 })
    try {
      const r = await backupStore(store, file)
      process.stdout.write(`backup of ${config.dataDir}: ${r.files} files, ${r.bytes} bytes → ${file}\n`)
    } finally {
      await store.close()
    }
    return 0
  }
  const token = typeof values.token === 'string' ? values.token : undefined
  if (!token)
    throw new UsageError(`the hub (pid ${running}) is running: pass --token=<admin token> to back it up`)
  const base = typeof values.hub === 'string' ? values.hub : `http://127.0.0.1:${config.httpPort}`
  const call = routeRequest('GET /admin/backup')
  const res = await fetch(`${base}${API_PREFIX}${call.path}`, {
    method: call.method,
    headers: { authorization: `Bearer ${token}` },
  })
  if (!res.ok || !res.body) {
    process.stderr.write(`vigil-hub backup: the hub answered ${res.status}: ${await res.text()}\n`)
    return 1
  }
  try {
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file, { mode: 0o600 }))
  } catch (err) {
    await rm(file, { force: true })
    throw err
  }
  process.stdout.write(`backup of the running hub → ${file}\n`)
  return 0
}

export async function restoreCommand(argv: string[], config: HubConfig): Promise<number> {
  if (config.databaseUrl) {
    process.stderr.write(
      `vigil-hub restore: the store is PostgreSQL (VIGIL_DATABASE_URL): use pg_dump / pg_restore and point-in-time recovery (docs/deploy.md)\n`,
    )
    return 2
  }
  const { positionals } = options(argv, {})
  const file = positionals[0]
  if (!file) throw new UsageError('a backup file is required')
  const { keptAs } = await restoreStore(file, config.dataDir)
  process.stdout.write(
    `restored ${file} into ${config.dataDir}${keptAs ? ` (the previous directory is kept as ${keptAs})` : ''}\n`,
  )
  return 0
}

export async function checkCommand(argv: string[], config: HubConfig): Promise<number> {
  if (config.databaseUrl) {
    process.stderr.write(
      `vigil-hub check: the store is PostgreSQL (VIGIL_DATABASE_URL): use pg_dump / pg_restore and point-in-time recovery (docs/deploy.md)\n`,
    )
    return 2
  }
  const { values } = options(argv, { repair: 'boolean' })
  const problems = await checkStore(config.dataDir, {
    repair: values.repair === true,
    contentHash: { inventory: inventoryContentHash, hardening: hardeningContentHash },
  })
  if (problems.length === 0) {
    process.stdout.write(`${config.dataDir}: no damage found\n`)
    return 0
  }
  for (const p of problems)
    process.stdout.write(`${p.file}: ${p.problem}${p.repaired ? `\n  repaired: ${p.repaired}` : ''}\n`)
  return 1
}
