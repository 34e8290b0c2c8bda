/**
 * Append-only JSON Lines log (audit trail, device events, finding history): entries are appended,
 * never rewritten, and each append is durable at the next group commit (written and fsynced with every
 * other queued write of that round).
 *
 * A hub runs for years, so the log is kept in segments: `<name>.jsonl` takes the appends and, once it
 * holds `maxSegmentBytes`, is renamed `<name>.<seq>.jsonl` and a new one begins. Reading goes newest
 * first, one segment at a time, and stops as soon as it has `limit` entries. `maxSegments` (optional)
 * drops the oldest sealed segments beyond that count.
 *
 * A write that fails (disk full) is cut back to the last whole line and retried later, so a torn line
 * is never glued to the next entry; a torn tail left by a crash is cut at open.
 */
import { open, readdir, readFile, rename, stat, truncate, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { StorageError } from './errors.js'
import { ensureDir, FILE_MODE, fsyncDir } from './fsx.js'
import type { Durable } from './group-commit.js'
import type { AppendLog } from './types.js'

export interface JsonlLogOptions {
  /** Seal the active file once it reaches this size (default 64 MiB). */
  maxSegmentBytes?: number
  /** Keep at most this many sealed segments, deleting the oldest (default: keep all). */
  maxSegments?: number
}

export interface ReadOptions<T> {
  limit?: number
  offset?: number
  filter?: (entry: T) => boolean
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024

export class JsonlLog<T> implements AppendLog<T>, Durable {
  private pending: { line: string; entry: T }[] = []
  private fd: Awaited<ReturnType<typeof open>> | undefined
  /** Bytes of the active file known to be whole lines on disk. */
  private goodBytes = 0
  /** Reads, seals and persists run one after another, so a read never sees a half-renamed segment. */
  private chain: Promise<unknown> = Promise.resolve()
  private readonly dir: string
  private readonly stem: string
  private readonly segmentName: RegExp
  private readonly maxSegmentBytes: number
  private readonly maxSegments: number | undefined

  constructor(
    readonly path: string,
    opts: JsonlLogOptions = {},
  ) {
    this.maxSegmentBytes = opts.maxSegmentBytes ?? DEFAULT_SEGMENT_BYTES
    this.maxSegments = opts.maxSegments
    this.dir = dirname(path)
    this.stem = basename(path).replace(/\.jsonl$/, '')
    this.segmentName = new RegExp(`^${this.stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d{6,})\\.jsonl$`)
  }

  /** Opens the active file, cutting a torn tail (a line a crash cut short, never acknowledged). */
  async open(): Promise<void> {
    await ensureDir(this.dir)
    let size = 0
    try {
      size = (await stat(this.path)).size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (size > 0) {
      const text = await readFile(this.path)
      const lastNewline = text.lastIndexOf(0x0a)
      const whole = lastNewline + 1
      if (whole !== size) await truncate(this.path, whole)
      size = whole
    }
    this.fd = await open(this.path, 'a', FILE_MODE)
    this.goodBytes = size
  }

  append(entry: T): void {
    let line: string
    try {
      line = `${JSON.stringify(entry)}\n`
    } catch (err) {
      throw new StorageError('UNSERIALIZABLE', `log entry cannot be stored: ${(err as Error).message}`)
    }
    this.pending.push({ line, entry })
  }

  hasPending(): boolean {
    return this.pending.length > 0
  }

  persist(): Promise<void> {
    const run = this.chain.then(() => this.write())
    this.chain = run.catch(() => undefined)
    return run
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return
    if (!this.fd) await this.open()
    const fd = this.fd
    if (!fd) throw new StorageError('STORAGE_CLOSED', `${this.path} is closed`)
    const taken = this.pending
    this.pending = []
    const chunk = Buffer.from(taken.map((p) => p.line).join(''), 'utf8')
    try {
      let off = 0
      while (off < chunk.length) {
        const { bytesWritten } = await fd.write(chunk, off, chunk.length - off)
        off += bytesWritten
      }
      await fd.datasync()
      this.goodBytes += chunk.length
    } catch (err) {
      await fd.truncate(this.goodBytes).catch(() => undefined)
      this.pending = taken.concat(this.pending)
      throw err
    }
    if (this.goodBytes >= this.maxSegmentBytes) await this.seal()
  }

  /** Sealed segments, oldest first. */
  private async segments(): Promise<{ seq: number; path: string }[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const out: { seq: number; path: string }[] = []
    for (const name of names) {
      const m = this.segmentName.exec(name)
      if (m?.[1]) out.push({ seq: Number(m[1]), path: join(this.dir, name) })
    }
    return out.sort((a, b) => a.seq - b.seq)
  }

  private async seal(): Promise<void> {
    const sealed = await this.segments()
    const seq = (sealed.at(-1)?.seq ?? 0) + 1
    await this.fd?.close()
    this.fd = undefined
    await rename(this.path, join(this.dir, `${this.stem}.${String(seq).padStart(6, '0')}.jsonl`))
    this.fd = await open(this.path, 'a', FILE_MODE)
    this.goodBytes = 0
    await fsyncDir(this.dir)
    if (this.maxSegments !== undefined) {
      const excess = sealed.length + 1 - this.maxSegments
      for (const old of sealed.slice(0, Math.max(0, excess))) await unlink(old.path)
    }
  }

  /** All files of the log, newest first (backup, check). */
  async files(): Promise<string[]> {
    return [this.path, ...(await this.segments()).reverse().map((s) => s.path)]
  }

  /** Newest first, after skipping `offset` matching entries, at most `limit` (default 100). */
  read(opts: ReadOptions<T> = {}): Promise<T[]> {
    const run = this.chain.then(async () => {
      const { limit = 100, offset = 0, filter } = opts
      const out: T[] = []
      let skipped = 0
      const take = (entry: T) => {
        if (filter && !filter(entry)) return
        if (skipped++ < offset) return
        out.push(entry)
      }
      // Queued entries (not yet durable) are the newest.
      for (let i = this.pending.length - 1; i >= 0 && out.length < limit; i--) {
        const p = this.pending[i]
        if (p) take(p.entry)
      }
      for (const file of await this.files()) {
        if (out.length >= limit) break
        let text: string
        try {
          text = await readFile(file, 'utf8')
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
          throw err
        }
        const lines = text.split('\n')
        for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
          const line = lines[i]
          if (!line) continue
          let entry: T
          try {
            entry = JSON.parse(line) as T
          } catch {
            continue
          }
          take(entry)
        }
      }
      return out
    })
    this.chain = run.catch(() => undefined)
    return run
  }

  async close(): Promise<void> {
    await this.chain
    await this.fd?.close()
    this.fd = undefined
  }
}
