/**
 * What a hardening check may look at. Every path is resolved under `root` ('/' on a device, a fixture
 * tree in tests), so checks are tested on real files without touching the machine.
 */
import { execFile } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface CheckEnv {
  root: string
  readText(path: string): Promise<string>
  readBytes(path: string): Promise<Buffer>
  stat(path: string): Promise<{ mode: number; uid: number; gid: number; isFile: boolean }>
  readdir(path: string): Promise<string[]>
  /** `systemctl is-active <unit>` when systemd runs; undefined otherwise. */
  systemdState(unit: string): Promise<string | undefined>
}

export interface CheckOutcome {
  status: 'pass' | 'fail' | 'error' | 'not_applicable'
  evidence: string
}

/**
 * A check that reads one file, when reading it failed: the file not existing means that what it
 * configures is not installed (no sshd_config: no SSH server), so the rule does not apply; any other
 * failure (permission denied, …) is an error.
 */
export function unreadable(path: string, err: unknown): CheckOutcome {
  return (err as NodeJS.ErrnoException).code === 'ENOENT'
    ? { status: 'not_applicable', evidence: `${path} does not exist (not installed)` }
    : { status: 'error', evidence: `${path}: ${fsReason(err)}` }
}

export function createCheckEnv(root = '/'): CheckEnv {
  const at = (p: string) => (root === '/' ? p : join(root, p))
  return {
    root,
    readText: (p) => readFile(at(p), 'utf8'),
    readBytes: (p) => readFile(at(p)),
    async stat(p) {
      const s = await stat(at(p))
      return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, isFile: s.isFile() }
    },
    readdir: (p) => readdir(at(p)),
    async systemdState(unit) {
      try {
        await stat(at('/run/systemd/system'))
      } catch {
        return undefined
      }
      if (root !== '/') return undefined
      try {
        const { stdout } = await run('systemctl', ['is-active', unit], { timeout: 10_000 })
        return stdout.trim()
      } catch (err) {
        const out = (err as { stdout?: string }).stdout
        return typeof out === 'string' && out.trim() !== '' ? out.trim() : 'unknown'
      }
    },
  }
}

/** A file-system error as evidence: what went wrong, in words. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  switch (e.code) {
    case 'ENOENT':
      return 'does not exist'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'is a directory'
    default:
      return e.message ?? String(err)
  }
}
