/**
 * The write-ahead journal: every change to a collection is one line here before it is acknowledged.
 * Collections themselves are rewritten only at a checkpoint (their shard files), after which the
 * journal segments the checkpoint covers are deleted. At start the journal is replayed over the shard
 * files, so nothing committed is lost to `kill -9` or a power cut.
 *
 *   <dataDir>/journal/<seq>.wal     lines: `<crc32 hex8> <json>\n`
 *   json: { c: collection, s: shards, v: schemaVersion, op: 'put', r: record } | { …, op: 'del', id }
 *
 * Each line carries the CRC-32 of its JSON. A torn last line of the last segment (a write cut short)
 * was never acknowledged and is dropped; a bad line anywhere else is corruption and is named.
 */
import { open, readdir, readFile, truncate, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { StorageError, StoreCorruptError } from './errors.js'
import { ensureDir, FILE_MODE, fsyncDir } from './fsx.js'
import type { Durable } from './group-commit.js'

export type JournalEntry =
  | { c: string; s: number; v: number; op: 'put'; r: { id: string } }
  | { c: string; s: number; v: number; op: 'del'; id: string }

const SEGMENT = /^(\d{12})\.wal$/
const segmentName = (seq: number) => `${String(seq).padStart(12, '0')}.wal`

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0')
}

/** One journal line for an entry; throws (before anything changes) if the record cannot be serialised. */
export function encodeEntry(entry: JournalEntry): string {
  let json: string
  try {
    json = JSON.stringify(entry)
  } catch (err) {
    throw new StorageError('UNSERIALIZABLE', `record cannot be stored: ${(err as Error).message}`)
  }
  return `${hex8(crc32(json))} ${json}\n`
}

export function decodeLine(line: string): JournalEntry | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined
  const json = line.slice(9)
  if (hex8(crc32(json)) !== line.slice(0, 8)) return undefined
  try {
    return JSON.parse(json) as JournalEntry
  } catch {
    return undefined
  }
}

export class Journal implements Durable {
  private pending: string[] = []
  private pendingBytes = 0
  private fd: Awaited<ReturnType<typeof open>> | undefined
  private seq = 0
  /** Bytes of the active segment known to be whole on disk. */
  private goodBytes = 0
  private readonly dir: string

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'journal')
  }

  /** Reads every segment, oldest first; answers the entries to replay. */
  async open(): Promise<JournalEntry[]> {
    await ensureDir(this.dir)
    const segments = await this.segments()
    const entries: JournalEntry[] = []
    for (const [i, seq] of segments.entries()) {
      const file = join(this.dir, segmentName(seq))
      const text = await readFile(file, 'utf8')
      const lines = text.split('\n')
      const last = i === segments.length - 1
      let good = 0
      for (const [n, line] of lines.entries()) {
        const isTail = n === lines.length - 1
        if (isTail && line === '') break
        const entry = decodeLine(line)
        if (!entry) {
          // Only the very end of the newest segment may be torn (a write cut short by a crash).
          const tornTail = last && (isTail || lines.slice(n + 1).every((l) => l === ''))
          if (tornTail) {
            await truncate(file, good)
            break
          }
          throw new StoreCorruptError(file, `line ${n + 1} is damaged (checksum or JSON)`)
        }
        entries.push(entry)
        good += Buffer.byteLength(line) + 1
      }
    }
    this.seq = (segments.at(-1) ?? 0) + 1
    await this.openSegment()
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

  private async openSegment(): Promise<void> {
    this.fd = await open(join(this.dir, segmentName(this.seq)), 'a', FILE_MODE)
    this.goodBytes = 0
    await fsyncDir(this.dir)
  }

  /** Queues one serialised entry (from `encodeEntry`). */
  append(line: string): void {
    this.pending.push(line)
    this.pendingBytes += line.length
  }

  hasPending(): boolean {
    return this.pending.length > 0
  }

  get queuedBytes(): number {
    return this.pendingBytes
  }

  async persist(): Promise<void> {
    const fd = this.fd
    if (!fd) throw new StorageError('STORAGE_CLOSED', 'the journal is closed')
    const lines = this.pending
    const bytes = this.pendingBytes
    this.pending = []
    this.pendingBytes = 0
    const chunk = Buffer.from(lines.join(''), 'utf8')
    try {
      let off = 0
      while (off < chunk.length) {
        const { bytesWritten } = await fd.write(chunk, off, chunk.length - off, this.goodBytes + off)
        off += bytesWritten
      }
      await fd.datasync()
      this.goodBytes += chunk.length
    } catch (err) {
      // Leave nothing torn behind and keep the lines for the next round, in order.
      await fd.truncate(this.goodBytes).catch(() => undefined)
      this.pending = lines.concat(this.pending)
      this.pendingBytes += bytes
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
  async rotate(): Promise<number> {
    if (this.pending.length > 0) throw new StorageError('STORAGE_FAILED', 'rotate with uncommitted entries')
    await this.fd?.close()
    this.seq++
    await this.openSegment()
    return this.seq
  }

  async dropBefore(seq: number): Promise<void> {
    for (const s of await this.segments()) if (s < seq) await unlink(join(this.dir, segmentName(s)))
    await fsyncDir(this.dir)
  }

  async close(): Promise<void> {
    await this.fd?.close()
    this.fd = undefined
  }
}
