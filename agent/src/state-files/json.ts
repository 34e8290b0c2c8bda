/**
 * Atomic JSON reads and writes of the small files in the state directory (memory, status, vendor trust,
 * trust bundle, manifest state). Imports nothing of the agent.
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

let tmpCounter = 0

export async function writeJsonAtomic(file: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true })
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`
  try {
    await writeFile(tmp, JSON.stringify(value, null, 2), { mode })
    await rename(tmp, file)
  } catch (err) {
    // a partial temp file would keep a full disk full
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}

export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
