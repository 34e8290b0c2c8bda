/**
 * The one place the hub writes whole files: atomic (unique temp file → fsync → rename → fsync of the
 * directory), so after `kill -9` or a power cut a file is either the old or the new version, never torn,
 * and a renamed file is really there. Every feature that keeps a file goes through the store, and the
 * store goes through here.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Files and directories the hub creates are its own: no group or other access (secrets live here). */
export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

const TEMP_MARK = '.vigil-tmp-'

/** Whether a file name is a leftover temp file of an interrupted atomic write. */
export function isTempName(name: string): boolean {
  return name.includes(TEMP_MARK)
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG'
}

/** fsync of a directory, so that a rename or a new file in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (err) {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR); the rename is then as durable as
    // they allow.
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err
  } finally {
    await handle?.close()
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE })
}

/**
 * Runs `job` on every item, at most `limit` at once, in the items' order (file writes and unlinks mostly
 * wait on the disk: a few in flight overlap those waits).
 */
export async function eachAtOnce<T>(
  items: readonly T[],
  limit: number,
  job: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await job(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

export interface AtomicWriteOptions {
  /** Skip the directory fsync (the caller syncs the directory once for many files). */
  deferDirSync?: boolean
}

/**
 * Writes `data` to `path` atomically and durably. The temp name is unique per call, so concurrent
 * writers of the same path never collide (the last rename wins, each rename is whole).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`)
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    try {
      handle = await open(temp, 'wx', FILE_MODE)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await ensureDir(dir)
      handle = await open(temp, 'wx', FILE_MODE)
    }
    await handle.writeFile(data)
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, path)
  } catch (err) {
    await handle?.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw err
  }
  if (!opts.deferDirSync) await fsyncDir(dir)
}

/** Removes leftover temp files of interrupted atomic writes in `dir` (not recursive). */
export async function removeTempFiles(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const removed: string[] = []
  for (const name of names) {
    if (!isTempName(name) && !/^\..+\.tmp$/.test(name) && !/\.\d+\.tmp$/.test(name)) continue
    await unlink(join(dir, name)).catch(() => undefined)
    removed.push(join(dir, name))
  }
  return removed
}
