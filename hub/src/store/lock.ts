/**
 * One hub per data directory: `<dataDir>/hub.lock` holds the pid of the process that opened it. A lock
 * left by a process that no longer runs (after `kill -9`) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from './errors.js'
import { FILE_MODE } from './fsx.js'

export interface DataDirLock {
  release(): Promise<void>
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid holding `dataDir`, if a live process does. */
export async function lockHolder(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(dataDir, 'hub.lock'), 'utf8')).trim())
    return alive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

export async function acquireLock(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, 'hub.lock')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', FILE_MODE)
      await handle.writeFile(String(process.pid))
      await handle.close()
      return { release: () => unlink(path).catch(() => undefined) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = await lockHolder(dataDir)
      if (holder !== undefined)
        throw new StorageError('STORE_LOCKED', `${dataDir} is in use by another hub (pid ${holder})`)
      await unlink(path).catch(() => undefined)
    }
  }
  throw new StorageError('STORE_LOCKED', `cannot lock ${dataDir}`)
}
