/**
 * The data directory holds password hashes, session and device secret hashes, and the fleet's
 * inventories: readable by the hub's user only. `serve` sets the process umask to 0o077 before anything
 * is created (every later file 0600, directory 0700, whoever writes it) and tightens what an older
 * version left behind.
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'

export const PRIVATE_UMASK = 0o077

export async function makeDataDirPrivate(dataDir: string): Promise<void> {
  process.umask(PRIVATE_UMASK)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  await tighten(dataDir)
}

async function tighten(path: string): Promise<void> {
  const st = await lstat(path)
  if (st.isSymbolicLink()) return
  if (st.isDirectory()) {
    if ((st.mode & 0o077) !== 0) await chmod(path, 0o700)
    for (const name of await readdir(path)) await tighten(join(path, name))
  } else if ((st.mode & 0o077) !== 0) {
    await chmod(path, st.mode & 0o700)
  }
}
