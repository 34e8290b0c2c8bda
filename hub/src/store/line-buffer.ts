/**
 * The journal lines queued for the next commit round, in byte chunks: each line is encoded once,
 * straight into the current chunk, and a round writes them as one buffer. Queued lines thus live
 * outside the JS heap (a new advisory on 1,000 devices queues ~2 MB that minor garbage collections
 * would otherwise copy again and again during the pass) and cost no object each. A full chunk is
 * kept as it is and a new one begun, so queuing never copies what is already queued (a buffer
 * doubled in place copied every byte about twice more during the pass).
 *
 * A line is `<crc32 hex8> <json>\n`: the JSON of one entry, or of a transaction `{"tx":[e1,e2,…]}`
 * (see journal.ts), handed over as one string (the journal joins an entry's pieces, or a whole
 * transaction's, once: writing each piece on its own cost a quarter of a new advisory's pass); the
 * CRC-32 runs over the line's bytes.
 */
import { crc32 } from 'node:zlib'

const INITIAL = 16 * 1024
/** Chunks after the first: large enough that a pass of a few MB needs a handful. */
const CHUNK = 256 * 1024

const hex8 = (n: number) => n.toString(16).padStart(8, '0')

export class LineBuffer {
  /** Full chunks, oldest first (each exactly its bytes). */
  #full: Buffer[] = []
  #fullBytes = 0
  #buf = Buffer.allocUnsafeSlow(INITIAL)
  #used = 0

  /** Bytes queued. */
  get bytes(): number {
    return this.#fullBytes + this.#used
  }

  #reserve(n: number): void {
    if (this.#used + n <= this.#buf.length) return
    if (this.#used > 0) {
      this.#full.push(this.#buf.subarray(0, this.#used))
      this.#fullBytes += this.#used
    }
    this.#buf = Buffer.allocUnsafeSlow(Math.max(CHUNK, n))
    this.#used = 0
  }

  /** Queues the line of one JSON text (an entry or a transaction). */
  add(json: string): void {
    // At most 3 bytes per UTF-16 unit: reserved without measuring the text first.
    this.#reserve(json.length * 3 + 10)
    const buf = this.#buf
    const start = this.#used
    const end = start + 9 + buf.write(json, start + 9)
    buf.write(hex8(crc32(buf.subarray(start + 9, end))), start, 'latin1')
    buf[start + 8] = 0x20 // space
    buf[end] = 0x0a // \n
    this.#used = end + 1
  }

  /** Queues `text` and a newline, unframed (a log's own file lines: see append-log.ts). */
  addPlain(text: string): void {
    this.#reserve(text.length * 3 + 1)
    const end = this.#used + this.#buf.write(text, this.#used)
    this.#buf[end] = 0x0a // \n
    this.#used = end + 1
  }

  /** Everything queued, as one buffer, left queued (reads). */
  peek(): Buffer {
    const last = this.#buf.subarray(0, this.#used)
    return this.#full.length === 0 ? last : Buffer.concat([...this.#full, last], this.bytes)
  }

  /** Everything queued, to be written, as one buffer; the buffer starts empty. */
  take(): Buffer {
    const out = this.peek()
    this.#full = []
    this.#fullBytes = 0
    this.#buf = Buffer.allocUnsafeSlow(INITIAL)
    this.#used = 0
    return out
  }

  /** Puts lines taken but not written (a failed round) back in front of those queued since. */
  restore(taken: Buffer): void {
    if (taken.length === 0) return
    if (this.#used > 0) {
      this.#full.push(this.#buf.subarray(0, this.#used))
      this.#fullBytes += this.#used
    }
    this.#full.unshift(taken)
    this.#fullBytes += taken.length
    this.#buf = Buffer.allocUnsafeSlow(INITIAL)
    this.#used = 0
  }
}
