/**
 * The write-ahead journal: every change to a collection is one line here before it is acknowledged.
 * Collections themselves are rewritten only at a checkpoint (their shard files), after which the
 * journal segments the checkpoint covers are deleted. At start the journal is replayed over the shard
 * files, so nothing committed is lost to `kill -9` or a power cut.
 *
 *   <dataDir>/journal/<seq>.wal     lines: `<crc32 hex8> <json>\n`
 *   json: { c: collection, s: shards, v: schemaVersion, op: 'put', r: record, n: version } | { …, op: 'del', id }
 *       | { …, op: 'puts', b: { k: [field, …], one: [field index, value, …], cols: [[value, …], …], n: [version, …] } }
 *                                                       (records sharing fields: see `ShardedCollection.putMany`)
 *       | { l: log, e: entry }                          (an append to a log)
 *       | { tx: [json, …] }                             (changes that stand or fall together)
 *
 * Each line carries the CRC-32 of its JSON. A torn last line of the last segment (a write cut short)
 * was never acknowledged and is dropped; a bad line anywhere else is corruption and is named.
 */
import { close, fdatasync, ftruncate, openSync, write } from 'node:fs'
import { readdir, readFile, truncate, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { crc32 } from 'node:zlib'
import { StorageError, StoreCorruptError } from './errors.js'
import { ensureDir, FILE_MODE, fsyncDir } from './fsx.js'
import { LineBuffer } from './line-buffer.js'

const writeAt = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    write(fd, buffer, offset, length, position, (err, written) => (err ? reject(err) : resolve(written))),
  )
const datasync = promisify(fdatasync)
const ftrunc = promisify(ftruncate)
const closeFd = promisify(close)

import type { Durable } from './group-commit.js'

export type JournalEntry =
  | { c: string; s: number; v: number; op: 'put'; r: { id: string }; n?: number }
  | { c: string; s: number; v: number; op: 'del'; id: string }
  | { c: string; s: number; v: number; op: 'puts'; b: PutsBatch }
  | { l: string; e: unknown }

/** Records that share fields, in columns (see `ShardedCollection.putMany`). */
export interface PutsBatch {
  /** The records' fields, in order. */
  k: string[]
  /** Field index, value: the values every record has (strings, numbers, booleans, null), once. */
  one: unknown[]
  /** The other fields' values, one column per field in `k` order, one value per record. */
  cols: unknown[][]
  /** Each record's version. */
  n: number[]
}

const SEGMENT = /^(\d{12})\.wal$/
const segmentName = (seq: number) => `${String(seq).padStart(12, '0')}.wal`

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0')
}

/**
 * The JSON of a record or log entry; throws (before anything changes) if it cannot be serialised.
 * Callers splice it into their entry's JSON (`{"l":…,"e":<json>}`, `…"r":<json>,"n":…}`), and a log
 * keeps the same text as its file line: each value is serialised once.
 */
export function encodeJson(value: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (err) {
    throw new StorageError('UNSERIALIZABLE', `record cannot be stored: ${(err as Error).message}`)
  }
  if (json === undefined) throw new StorageError('UNSERIALIZABLE', 'record cannot be stored: no JSON value')
  return json
}

/** The JSON of one entry; throws (before anything changes) if the record cannot be serialised. */
export function encodeEntry(entry: JournalEntry): string {
  return encodeJson(entry)
}

/**
 * The JSON of a transaction line from its pieces: `''` (the opening's place), then each entry as three
 * pieces (`Journal.append`) with `','` between. One entry stands alone; several are `{"tx":[e1,e2,…]}`.
 * Joined once into one flat string, so the line is encoded in one piece and never copied to flatten it
 * (`pieces` is changed).
 */
export function txLine(pieces: string[]): string {
  if (pieces.length > 4) {
    pieces[0] = '{"tx":['
    pieces.push(']}')
  }
  return pieces.join('')
}

/** The entries of one line (a transaction line holds several), or undefined when it is damaged. */
export function decodeLine(line: string): JournalEntry[] | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined
  const json = line.slice(9)
  if (hex8(crc32(json)) !== line.slice(0, 8)) return undefined
  try {
    const parsed = JSON.parse(json) as JournalEntry | { tx: JournalEntry[] }
    return 'tx' in parsed ? parsed.tx : [parsed]
  } catch {
    return undefined
  }
}

export class Journal implements Durable {
  /** Whole lines, already UTF-8 (see line-buffer.ts). */
  private readonly pending = new LineBuffer()
  /**
   * The open transaction's text in pieces (`['', e1 in three, ',', e2 in three, …]`, see `txLine`), one
   * line when it ends.
   */
  private tx: string[] | undefined
  private fd: number | undefined
  private seq = 0
  /** Bytes of the active segment known to be whole on disk. */
  private goodBytes = 0
  private readonly dir: string

  /** Segments below this were covered by the last checkpoint (from meta.json). */
  replayFrom = 0

  /** False only for `unsafeNoFsync` (benchmarks): lines are written but `persist` does not fsync. */
  private readonly fsync: boolean

  constructor(dataDir: string, opts: { fsync?: boolean } = {}) {
    this.dir = join(dataDir, 'journal')
    this.fsync = opts.fsync ?? true
  }

  /** Reads every segment, oldest first; answers the entries to replay. */
  async open(): Promise<JournalEntry[]> {
    await ensureDir(this.dir)
    const segments = await this.segments()
    const entries: JournalEntry[] = []
    for (const [i, seq] of segments.entries()) {
      if (seq < this.replayFrom) {
        // Covered by the last checkpoint (which crashed before it could delete it): not replayed.
        await unlink(join(this.dir, segmentName(seq)))
        continue
      }
      const file = join(this.dir, segmentName(seq))
      const text = await readFile(file, 'utf8')
      const lines = text.split('\n')
      const last = i === segments.length - 1
      let good = 0
      for (const [n, line] of lines.entries()) {
        const isTail = n === lines.length - 1
        if (isTail && line === '') break
        const decoded = decodeLine(line)
        if (!decoded) {
          // Only the very end of the newest segment may be torn (a write cut short by a crash).
          const tornTail = last && (isTail || lines.slice(n + 1).every((l) => l === ''))
          if (tornTail) {
            await truncate(file, good)
            break
          }
          throw new StoreCorruptError(file, `line ${n + 1} is damaged (checksum or JSON)`)
        }
        entries.push(...decoded)
        good += Buffer.byteLength(line) + 1
      }
    }
    this.seq = (segments.at(-1) ?? 0) + 1
    this.openSegment()
    await fsyncDir(this.dir)
    return entries
  }

  private async segments(): Promise<number[]> {
    const names = await readdir(this.dir)
    return names
      .map((n) => SEGMENT.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
  }

  /** Synchronous, so that a rotation happens between two appends, never during one. */
  private openSegment(): void {
    this.fd = openSync(join(this.dir, segmentName(this.seq)), 'a', FILE_MODE)
    this.goodBytes = 0
  }

  /**
   * Queues one serialised entry (from `encodeEntry`), or the entry `prefix + json + suffix` (a record's
   * or log entry's JSON spliced into its entry's).
   */
  append(json: string, prefix = '', suffix = ''): void {
    const tx = this.tx
    if (tx) {
      if (tx.length > 1) tx.push(',')
      tx.push(prefix, json, suffix)
      return
    }
    this.pending.add(prefix + json + suffix)
  }

  /**
   * Runs `job` (synchronous) so that every entry it appends is one journal line: after a crash, all
   * of them are replayed or none. Nested calls join the outer transaction.
   */
  atomic<T>(job: () => T): T {
    if (this.tx) return job()
    // Piece 0 is the transaction's opening, set once it holds more than one entry (see `txLine`).
    this.tx = ['']
    let pieces: string[] = []
    try {
      return job()
    } finally {
      pieces = this.tx
      this.tx = undefined
      if (pieces.length > 1) this.pending.add(txLine(pieces))
    }
  }

  hasPending(): boolean {
    return this.pending.bytes > 0
  }

  get queuedBytes(): number {
    return this.pending.bytes
  }

  /**
   * Writes and fsyncs every queued line. `before` (the store's staged documents) is started in the
   * same tick as the lines are taken and awaited before they are written: a line can only name a
   * document staged before it, so every line of this write names a document that is durable first.
   */
  async persist(before?: () => Promise<unknown>): Promise<void> {
    const fd = this.fd
    if (fd === undefined) throw new StorageError('STORAGE_CLOSED', 'the journal is closed')
    const chunk = this.pending.take()
    const prior = before?.()
    try {
      await prior
      let off = 0
      while (off < chunk.length) {
        off += await writeAt(fd, chunk, off, chunk.length - off, this.goodBytes + off)
      }
      if (this.fsync && chunk.length > 0) await datasync(fd)
      this.goodBytes += chunk.length
    } catch (err) {
      // Leave nothing torn behind and keep the lines for the next round, in order.
      await ftrunc(fd, this.goodBytes).catch(() => undefined)
      this.pending.restore(chunk)
      throw err
    }
  }

  get activeBytes(): number {
    return this.goodBytes
  }

  /**
   * Starts a new segment (between commit rounds) and answers the sequence number of the first one to
   * keep: segments before it may be deleted once a checkpoint has made them redundant.
   */
  rotate(): number {
    if (this.pending.bytes > 0) throw new StorageError('STORAGE_FAILED', 'rotate with uncommitted entries')
    const old = this.fd
    this.seq++
    this.openSegment()
    if (old !== undefined) closeFd(old).catch(() => undefined)
    return this.seq
  }

  /** Makes the newest segment's directory entry durable (after `rotate`). */
  syncDir(): Promise<void> {
    return fsyncDir(this.dir)
  }

  async dropBefore(seq: number): Promise<void> {
    for (const s of await this.segments()) if (s < seq) await unlink(join(this.dir, segmentName(s)))
    await fsyncDir(this.dir)
  }

  /** The segment files (backup). */
  async files(): Promise<string[]> {
    return (await this.segments()).map((s) => join(this.dir, segmentName(s)))
  }

  async close(): Promise<void> {
    const fd = this.fd
    this.fd = undefined
    if (fd !== undefined) await closeFd(fd)
  }
}
