/**
 * Append-only JSON Lines log (audit trail, device events, finding history): entries are appended,
 * never rewritten.
 *
 * An append is a journal entry first (durable, and atomic with the other changes of the same message,
 * at the next group commit); the log's own files are written at checkpoints, with the size reached
 * recorded in meta.json. At start each file is cut back to that size and the journal's appends since
 * the checkpoint are applied again, so every acknowledged entry is there exactly once, and a torn line
 * can never be glued to the next entry.
 *
 * A hub runs for years, so the log is kept in numbered segments `<name>.<seq>.jsonl`; the highest is
 * the active one and a new one begins once it holds `maxSegmentBytes`. Reading goes newest first, one
 * segment at a time, and stops as soon as it has `limit` entries. `maxSegments` (optional) drops the
 * oldest segments beyond that count. (`<name>.jsonl` of earlier versions is taken over as a segment.)
 */
import { open, readdir, readFile, rename, stat, truncate, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ensureDir, FILE_MODE, fsyncDir } from './fsx.js'
import { encodeJson } from './journal.js'
import { LineBuffer } from './line-buffer.js'
import type { AppendLog } from './types.js'

export interface JsonlLogOptions {
  /** Start a new segment once the active one reaches this size (default 64 MiB). */
  maxSegmentBytes?: number
  /** Keep at most this many segments, deleting the oldest (default: keep all). */
  maxSegments?: number
}

export interface ReadOptions<T> {
  limit?: number
  offset?: number
  filter?: (entry: T) => boolean
}

/** Where an append's journal entry goes (the store's journal). */
export interface LogJournal {
  /** The entry `prefix + json + suffix` (see `Journal.append`). */
  append(json: string, prefix?: string, suffix?: string): void
}

/** The durable position of a log, kept in meta.json at each checkpoint. */
export interface LogPosition {
  segment: number
  bytes: number
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
const pad = (n: number) => String(n).padStart(6, '0')

export class JsonlLog<T> implements AppendLog<T> {
  /**
   * The file lines of the entries appended since the last checkpoint took them, as bytes outside the
   * JS heap: no object or string each (a new advisory appends thousands of history entries in one pass,
   * which minor garbage collections would otherwise copy until the checkpoint). Reads parse them, as
   * they parse the files' lines.
   */
  private readonly unwritten = new LineBuffer()
  /** Taken by a running checkpoint, not yet in the file. */
  private writing: Buffer[] = []
  private position: LogPosition = { segment: 1, bytes: 0 }
  /** Reads and checkpoint writes run one after another. */
  private chain: Promise<unknown> = Promise.resolve()
  private readonly dir: string
  private readonly stem: string
  private readonly segmentName: RegExp
  private readonly maxSegmentBytes: number
  private readonly maxSegments: number | undefined
  /** `{"l":<name>,"e":` — what `JSON.stringify({ l: name, e })` begins with. */
  private readonly entryPrefix: string

  constructor(
    /** e.g. `register/history` (the files are `<dataDir>/register/history.<seq>.jsonl`). */
    readonly name: string,
    dataDir: string,
    private readonly journal: LogJournal,
    opts: JsonlLogOptions = {},
  ) {
    this.maxSegmentBytes = opts.maxSegmentBytes ?? DEFAULT_SEGMENT_BYTES
    this.maxSegments = opts.maxSegments
    this.entryPrefix = `{"l":${JSON.stringify(name)},"e":`
    const path = join(dataDir, `${name}.jsonl`)
    this.dir = dirname(path)
    this.stem = basename(name)
    this.segmentName = new RegExp(`^${this.stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d{6,})\\.jsonl$`)
  }

  private pathOf(segment: number): string {
    return join(this.dir, `${this.stem}.${pad(segment)}.jsonl`)
  }

  /**
   * Opens the log at the position of the last checkpoint (`undefined`: none recorded yet, e.g. a data
   * directory of an earlier version): anything written after it is cut off, to be replayed from the
   * journal.
   */
  async open(at: LogPosition | undefined): Promise<void> {
    await ensureDir(this.dir)
    const legacy = join(this.dir, `${this.stem}.jsonl`)
    const segments = await this.segments()
    if (!at) {
      // Earlier versions appended to `<name>.jsonl` and sealed numbered segments: that file becomes
      // the newest segment, cut back to its last whole line.
      let newest = segments.at(-1)?.seq ?? 0
      try {
        await stat(legacy)
        newest++
        await rename(legacy, this.pathOf(newest))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
      const segment = Math.max(1, newest)
      let bytes = 0
      try {
        const text = await readFile(this.pathOf(segment))
        bytes = text.lastIndexOf(0x0a) + 1
        if (bytes !== text.length) await truncate(this.pathOf(segment), bytes)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
      this.position = { segment, bytes }
      return
    }
    this.position = { ...at }
    for (const s of segments) if (s.seq > at.segment) await unlink(s.path)
    try {
      const size = (await stat(this.pathOf(at.segment))).size
      if (size > at.bytes) await truncate(this.pathOf(at.segment), at.bytes)
      // A shorter file than recorded lost acknowledged entries outside the journal: say so.
      if (size < at.bytes)
        throw new Error(`${this.pathOf(at.segment)}: shorter than recorded (${size} < ${at.bytes} bytes)`)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || at.bytes > 0) throw err
    }
  }

  append(entry: T): void {
    // Serialised once: the journal entry `{"l":<name>,"e":<json>}` and the file line hold the same text.
    const json = encodeJson(entry)
    this.journal.append(json, this.entryPrefix, '}')
    this.unwritten.addPlain(json)
  }

  /** Applies an append from the journal at start (not journaled again). */
  replay(entry: T): void {
    this.unwritten.addPlain(encodeJson(entry))
  }

  get hasUnwritten(): boolean {
    return this.unwritten.bytes > 0 || this.writing.length > 0
  }

  /** Takes what was appended so far (journaled in the segments a checkpoint covers). */
  take(): void {
    if (this.unwritten.bytes > 0) this.writing.push(this.unwritten.take())
  }

  /**
   * Writes what `take` took to the active segment and fsyncs it; answers the new position for
   * meta.json. On failure nothing is lost (it stays in memory and in the journal).
   */
  write(): Promise<LogPosition> {
    const run = this.chain.then(async () => {
      if (this.writing.length === 0) return { ...this.position }
      if (this.position.bytes >= this.maxSegmentBytes) {
        this.position = { segment: this.position.segment + 1, bytes: 0 }
        await this.dropOld()
      }
      const path = this.pathOf(this.position.segment)
      const chunk = this.writing.length === 1 ? (this.writing[0] as Buffer) : Buffer.concat(this.writing)
      const fd = await open(path, 'a', FILE_MODE)
      try {
        await fd.truncate(this.position.bytes)
        let off = 0
        while (off < chunk.length) {
          const { bytesWritten } = await fd.write(chunk, off, chunk.length - off, this.position.bytes + off)
          off += bytesWritten
        }
        await fd.datasync()
      } catch (err) {
        await fd.truncate(this.position.bytes).catch(() => undefined)
        throw err
      } finally {
        await fd.close()
      }
      if (this.position.bytes === 0) await fsyncDir(this.dir)
      this.position = { segment: this.position.segment, bytes: this.position.bytes + chunk.length }
      this.writing = []
      return { ...this.position }
    })
    this.chain = run.catch(() => undefined)
    return run
  }

  private async dropOld(): Promise<void> {
    if (this.maxSegments === undefined) return
    const all = await this.segments()
    const excess = all.length + 1 - this.maxSegments
    for (const old of all.slice(0, Math.max(0, excess))) await unlink(old.path)
  }

  /** Segments, oldest first. */
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

  /** All files of the log, newest first (backup, check). */
  async files(): Promise<string[]> {
    return (await this.segments()).reverse().map((s) => s.path)
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
      // Entries not in the files yet are the newest.
      const memory = this.memoryLines()
      for (let i = memory.length - 1; i >= 0 && out.length < limit; i--)
        take(JSON.parse(memory[i] as string) as T)
      for (const s of (await this.segments()).reverse()) {
        if (out.length >= limit) break
        if (s.seq > this.position.segment) continue
        let bytes: Buffer
        try {
          bytes = await readFile(s.path)
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
          throw err
        }
        if (s.seq === this.position.segment) bytes = bytes.subarray(0, this.position.bytes)
        const lines = bytes.toString('utf8').split('\n')
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

  /** Every entry, oldest first, one segment at a time (`vigil-hub migrate`). */
  async *entries(): AsyncGenerator<T> {
    await this.chain
    for (const s of (await this.segments()).filter((x) => x.seq <= this.position.segment)) {
      let bytes = await readFile(s.path)
      if (s.seq === this.position.segment) bytes = bytes.subarray(0, this.position.bytes)
      for (const line of bytes.toString('utf8').split('\n')) if (line) yield JSON.parse(line) as T
    }
    for (const m of this.memoryLines()) yield JSON.parse(m) as T
  }

  /** The lines not in the files yet, oldest first. */
  private memoryLines(): string[] {
    const text = Buffer.concat([...this.writing, this.unwritten.peek()]).toString('utf8')
    return text === '' ? [] : text.slice(0, -1).split('\n')
  }

  /** Waits for a running write. */
  async settle(): Promise<void> {
    await this.chain
  }
}
