/**
 * The journal lines queued for the next commit round, in one growing byte buffer: each line is
 * encoded once, straight into it, and a round writes one slice of it. Queued lines thus live outside
 * the JS heap (a new advisory on 1,000 devices queues ~2 MB that minor garbage collections would
 * otherwise copy again and again during the pass) and cost no object each.
 *
 * A line is `<crc32 hex8> <json>\n`: the JSON of one entry, or of a transaction `{"tx":[e1,e2,…]}`
 * (see journal.ts). Entries come as three strings each (prefix, body, suffix), written one after the
 * other, never concatenated first; the CRC-32 runs over the line's bytes.
 */
import { crc32 } from 'node:zlib'

const INITIAL = 16 * 1024
const TX_OPEN = '{"tx":['
const TX_CLOSE = ']}'

const hex8 = (n: number) => n.toString(16).padStart(8, '0')

export class LineBuffer {
  #buf = Buffer.allocUnsafeSlow(INITIAL)
  #used = 0

  /** Bytes queued. */
  get bytes(): number {
    return this.#used
  }

  #reserve(n: number): void {
    if (this.#used + n <= this.#buf.length) return
    const next = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#used + n))
    this.#buf.copy(next, 0, 0, this.#used)
    this.#buf = next
  }

  /** Queues one line holding the entries of `parts` (three strings each); `tx`: as a transaction. */
  add(parts: string[], tx: boolean): void {
    const entries = parts.length / 3
    let bytes = 10 + (tx ? TX_OPEN.length + TX_CLOSE.length + entries - 1 : 0)
    for (const p of parts) bytes += Buffer.byteLength(p)
    this.#reserve(bytes)
    const buf = this.#buf
    const start = this.#used
    let at = start + 9
    if (tx) at += buf.write(TX_OPEN, at, 'latin1')
    for (let i = 0; i < parts.length; i += 3) {
      if (i > 0) buf[at++] = 0x2c // ,
      at += buf.write(parts[i] as string, at)
      at += buf.write(parts[i + 1] as string, at)
      at += buf.write(parts[i + 2] as string, at)
    }
    if (tx) at += buf.write(TX_CLOSE, at, 'latin1')
    buf.write(hex8(crc32(buf.subarray(start + 9, at))), start, 'latin1')
    buf[start + 8] = 0x20 // space
    buf[at] = 0x0a // \n
    this.#used = at + 1
  }

  /** Everything queued, to be written; the buffer starts empty. */
  take(): Buffer {
    const out = this.#buf.subarray(0, this.#used)
    this.#buf = Buffer.allocUnsafeSlow(INITIAL)
    this.#used = 0
    return out
  }

  /** Puts lines taken but not written (a failed round) back in front of those queued since. */
  restore(taken: Buffer): void {
    const next = Buffer.allocUnsafeSlow(Math.max(INITIAL, taken.length + this.#used))
    taken.copy(next, 0)
    this.#buf.copy(next, taken.length, 0, this.#used)
    this.#buf = next
    this.#used += taken.length
  }
}
