/**
 * The outbox's file operations, injectable so a test can fail them like a full disk. `writeFile` with
 * `sync` returns once the data is on stable storage (fsync); `syncDir` makes a rename durable. A failed
 * write removes its partial file, so a full disk is not kept full by the attempt.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises'

export interface OutboxFs {
  mkdir(dir: string): Promise<void>
  readdir(dir: string): Promise<string[]>
  readFile(file: string): Promise<string>
  writeFile(file: string, data: string, sync: boolean): Promise<void>
  rename(from: string, to: string): Promise<void>
  syncDir(dir: string): Promise<void>
  unlink(file: string): Promise<void>
}

export const nodeOutboxFs: OutboxFs = {
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  },
  readdir: (dir) => readdir(dir),
  readFile: (file) => readFile(file, 'utf8'),
  async writeFile(file, data, sync) {
    const fh = await open(file, 'w', 0o600)
    try {
      await fh.writeFile(data)
      if (sync) await fh.sync()
    } catch (err) {
      await fh.close().catch(() => undefined)
      await unlink(file).catch(() => undefined)
      throw err
    }
    await fh.close()
  },
  rename: (a, b) => rename(a, b),
  async syncDir(dir) {
    const fh = await open(dir, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  },
  unlink: (file) => unlink(file),
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** Writes `data` to `file` atomically (temp file, rename); with `sync`, durably (file and directory). */
export async function writeAtomic(
  fs: OutboxFs,
  dir: string,
  file: string,
  data: string,
  sync: boolean,
): Promise<void> {
  const tmp = `${file}.tmp`
  await fs.writeFile(tmp, data, sync)
  try {
    await fs.rename(tmp, file)
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined)
    throw err
  }
  if (sync) await fs.syncDir(dir)
}
