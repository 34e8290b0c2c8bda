/**
 * Backup, restore and check of the embedded store.
 *
 * A backup is a gzip'd tar of the data directory taken at one consistent moment: while commits and
 * checkpoints are paused (`LowdbStore.snapshot`) every file is hard-linked into a staging directory
 * (files replaced by rename — shards, blobs, meta — stay as they were), and files that are appended in
 * place (the journal, the active log segments) are copied. Restoring it is like starting after a crash
 * at that moment: the journal replays.
 */
import { copyFile, link, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import type { HardeningReport, Inventory } from '@vigil/protocol'
import * as tar from 'tar'
import { StorageError } from './errors.js'
import { ensureDir } from './fsx.js'
import { lockHolder } from './lock.js'
import { LowdbStore } from './lowdb-store.js'

/** Files appended in place: copied, not linked. */
const APPENDED = /(^|\/)journal\/\d+\.wal$|\.\d{6,}\.jsonl$/

async function stage(store: LowdbStore, into: string): Promise<string[]> {
  const dataDir = store.dataDir
  const files = await store.files()
  const out: string[] = []
  for (const file of files) {
    const rel = relative(dataDir, file)
    try {
      await stat(file)
    } catch {
      continue // a shard never written yet, a log segment not begun
    }
    const target = join(into, rel)
    await mkdir(dirname(target), { recursive: true })
    if (APPENDED.test(rel)) await copyFile(file, target)
    else await link(file, target).catch(() => copyFile(file, target))
    out.push(rel)
  }
  return out
}

/** Writes a consistent backup of a running (or offline-opened) store to `file` (tar.gz). */
export async function backupStore(
  store: LowdbStore,
  file: string,
): Promise<{ files: number; bytes: number }> {
  const staging = await mkdtemp(join(dirname(file), '.vigil-backup-'))
  try {
    const rels = await store.snapshot(() => stage(store, staging))
    await tar.create({ gzip: true, cwd: staging, file, portable: true }, rels)
    return { files: rels.length, bytes: (await stat(file)).size }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/** Streams a backup (for the HTTP route); the staging directory is removed when the stream ends. */
export async function backupStream(store: LowdbStore, tempRoot: string): Promise<NodeJS.ReadableStream> {
  await ensureDir(tempRoot)
  const staging = await mkdtemp(join(tempRoot, '.vigil-backup-'))
  const rels = await store.snapshot(() => stage(store, staging))
  const stream = tar.create({ gzip: true, cwd: staging, portable: true }, rels)
  const cleanup = () => void rm(staging, { recursive: true, force: true })
  stream.on('end', cleanup)
  stream.on('error', cleanup)
  return stream as unknown as NodeJS.ReadableStream
}

/**
 * Restores `file` into `dataDir` (the hub must be stopped). The backup is unpacked next to it and
 * opened (replayed and checked) first; the current directory is kept as `<dataDir>.before-restore-…`.
 */
export async function restoreStore(file: string, dataDir: string): Promise<{ keptAs: string | undefined }> {
  const holder = await lockHolder(dataDir)
  if (holder !== undefined)
    throw new StorageError(
      'STORE_LOCKED',
      `${dataDir} is in use by a running hub (pid ${holder}): stop it first`,
    )
  const parent = dirname(dataDir)
  await ensureDir(parent)
  const unpacked = await mkdtemp(join(parent, '.vigil-restore-'))
  try {
    await tar.extract({ file, cwd: unpacked, strict: true })
    const check = await LowdbStore.open({ dataDir: unpacked, flushIntervalMs: 60_000, skipLock: true })
    await check.close()
  } catch (err) {
    await rm(unpacked, { recursive: true, force: true })
    throw err
  }
  let keptAs: string | undefined
  try {
    await stat(dataDir)
    keptAs = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
    await rename(dataDir, keptAs)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await rename(unpacked, dataDir)
  return { keptAs }
}

export interface CheckProblem {
  file: string
  problem: string
  repaired?: string
}

/**
 * Opens the store (which names any damaged or missing collection file or journal line) and checks
 * every stored inventory and hardening report against its content hash. With `repair`, a damaged
 * document is moved to `<dataDir>/damaged/` and the devices that pointed at it forget it, so their
 * next birth makes the hub ask them for it again.
 */
export async function checkStore(
  dataDir: string,
  opts: {
    repair: boolean
    contentHash: { inventory(i: Inventory): string; hardening(h: HardeningReport): string }
  },
): Promise<CheckProblem[]> {
  const problems: CheckProblem[] = []
  let store: LowdbStore
  try {
    store = await LowdbStore.open({ dataDir, flushIntervalMs: 60_000 })
  } catch (err) {
    problems.push({
      file: (err as { file?: string }).file ?? dataDir,
      problem: `${(err as Error).message} — restore the last backup (vigil-hub restore) or move the file aside`,
    })
    return problems
  }
  try {
    const kinds = [
      {
        blobs: store.inventories,
        field: 'inventoryHash' as const,
        hash: (v: unknown) => opts.contentHash.inventory(v as Inventory),
      },
      {
        blobs: store.hardening,
        field: 'hardeningHash' as const,
        hash: (v: unknown) => opts.contentHash.hardening(v as HardeningReport),
      },
    ]
    for (const { blobs, field, hash } of kinds) {
      for (const key of blobs.keys()) {
        let problem: string | undefined
        try {
          const value = await blobs.get(key)
          if (hash(value) !== key) problem = 'content does not match its hash'
        } catch (err) {
          problem = (err as Error).message
        }
        if (!problem) continue
        const file = blobs.pathOf(key)
        const entry: CheckProblem = { file, problem }
        if (opts.repair) {
          const aside = join(dataDir, 'damaged', relative(dataDir, file))
          await mkdir(dirname(aside), { recursive: true })
          await rename(file, aside)
          await blobs.forget(key)
          let n = 0
          for (const d of store.devices.values()) {
            if (d[field] !== key) continue
            store.devices.put({ ...d, [field]: undefined })
            n++
          }
          entry.repaired = `moved to ${aside}; ${n} device(s) will be asked for it at their next connection`
        }
        problems.push(entry)
      }
    }
    await store.commit()
  } finally {
    await store.close()
  }
  return problems
}
