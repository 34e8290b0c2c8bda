/**
 * Append-only JSON Lines log (audit trail, device events): entries are appended, never rewritten.
 *
 * A hub runs for years, so the log is kept in segments: `<name>.jsonl` takes the appends and, once it
 * holds `maxSegmentBytes`, is renamed `<name>.<seq>.jsonl` (atomic) and a new one begins. Reading goes
 * newest first, one segment at a time, and stops as soon as it has `limit` entries, so memory and time
 * are bounded by the segments it needs rather than by years of history. `maxSegments` (optional) drops
 * the oldest sealed segments beyond that count — device events may age out; the audit trail keeps all.
 *
 * A torn last line after `kill -9` is skipped when reading, and the next append starts on a new line
 * so the first entry after a crash is not glued to the torn one.
 */
import { appendFile, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { AppendLog } from './types.js'

export interface JsonlLogOptions {
  onError?: (err: unknown) => void
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

export class JsonlLog<T> implements AppendLog<T> {
  private queue: string[] = []
  /** Appends, seals and reads run one after another, so a read never sees a half-renamed segment. */
  private chain: Promise<unknown> = Promise.resolve()
  /** Bytes in the active file; unknown until the first append looks. */
  private activeBytes: number | undefined
  /** Whether the active file may end without a newline (unknown until the first append looks). */
  private needsNewline = false
  private readonly dir: string
  private readonly stem: string
  private readonly segmentName: RegExp
  private readonly onError: (err: unknown) => void
  private readonly maxSegmentBytes: number
  private readonly maxSegments: number | undefined

  constructor(
    private readonly path: string,
    opts: JsonlLogOptions | ((err: unknown) => void) = {},
  ) {
    // A bare function is the error callback (the original signature).
    const o = typeof opts === 'function' ? { onError: opts } : opts
    this.onError = o.onError ?? (() => {})
    this.maxSegmentBytes = o.maxSegmentBytes ?? DEFAULT_SEGMENT_BYTES
    this.maxSegments = o.maxSegments
    this.dir = dirname(path)
    this.stem = basename(path).replace(/\.jsonl$/, '')
    this.segmentName = new RegExp(`^${this.stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d{6,})\\.jsonl$`)
  }

  append(entry: T): void {
    this.queue.push(`${JSON.stringify(entry)}\n`)
    if (this.queue.length === 1)
      this.chain = this.chain.then(() => this.drain()).catch((err) => this.onError(err))
  }

  /** Runs `job` after everything queued before it; the caller gets its result or error. */
  private enqueue<R>(job: () => Promise<R>): Promise<R> {
    const run = this.chain.then(job)
    this.chain = run.catch((err) => this.onError(err))
    return run
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.activeBytes === undefined) await this.inspectActive()
      let chunk = this.queue.join('')
      this.queue = []
      if (this.needsNewline) chunk = `\n${chunk}`
      await mkdir(this.dir, { recursive: true })
      await appendFile(this.path, chunk, 'utf8')
      this.needsNewline = false
      this.activeBytes = (this.activeBytes ?? 0) + Buffer.byteLength(chunk)
      if (this.activeBytes >= this.maxSegmentBytes) await this.seal()
    }
  }

  private async inspectActive(): Promise<void> {
    try {
      const size = (await stat(this.path)).size
      this.activeBytes = size
      if (size > 0) {
        const file = await open(this.path, 'r')
        try {
          const last = Buffer.alloc(1)
          await file.read(last, 0, 1, size - 1)
          this.needsNewline = last[0] !== 0x0a
        } finally {
          await file.close()
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      this.activeBytes = 0
    }
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
    await rename(this.path, join(this.dir, `${this.stem}.${String(seq).padStart(6, '0')}.jsonl`))
    this.activeBytes = 0
    if (this.maxSegments !== undefined) {
      const excess = sealed.length + 1 - this.maxSegments
      for (const old of sealed.slice(0, Math.max(0, excess))) await unlink(old.path)
    }
  }

  /** Waits until everything appended so far is on disk. */
  async settle(): Promise<void> {
    await this.enqueue(async () => {
      if (this.queue.length > 0) await this.drain()
    })
  }

  /** Newest first, after skipping `offset` matching entries, at most `limit` (default 100). */
  read(opts: ReadOptions<T> = {}): Promise<T[]> {
    return this.enqueue(async () => {
      if (this.queue.length > 0) await this.drain()
      const files = [this.path, ...(await this.segments()).reverse().map((s) => s.path)]
      const { limit = 100, offset = 0, filter } = opts
      const out: T[] = []
      let skipped = 0
      for (const file of files) {
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
          if (filter && !filter(entry)) continue
          if (skipped++ < offset) continue
          out.push(entry)
        }
      }
      return out
    })
  }
}
