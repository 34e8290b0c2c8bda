/**
 * The last `capacity` telemetry samples of one device, each kept as its JSON text with its time, in one
 * byte buffer per ring (outside the V8 heap). A retained 1 KB string per sample made every sample
 * survive two scavenges and stay in the old generation until the ring overwrote it: at thousands of
 * samples a second that was the largest part of the hub's own cost per telemetry message (garbage
 * collection). Here a sample is copied into the device's buffer and nothing per sample stays on the
 * heap; it is decoded and parsed again only when someone asks (a device page).
 *
 * Samples are laid out first-in first-out around the buffer. When the next one does not fit in the free
 * space while fewer than `capacity` are kept, the buffer grows (the samples are copied to a new one in
 * order), so the ring always keeps exactly the last `capacity` samples, whatever their sizes.
 */
import type { Telemetry } from '@vigil/protocol'

/** Smallest buffer allocated for a ring. */
const MIN_BYTES = 4096
/** Headroom over the ring's size at its samples' average size, so samples of varying size wrap around. */
const SLACK = 1.125

export class SampleRing {
  private bytes = Buffer.alloc(0)
  private readonly starts: Int32Array
  private readonly lengths: Int32Array
  private readonly times: Float64Array
  private next = 0
  private count = 0
  /** Where the next sample's bytes go. */
  private head = 0

  constructor(readonly capacity: number) {
    this.starts = new Int32Array(capacity)
    this.lengths = new Int32Array(capacity)
    this.times = new Float64Array(capacity)
  }

  get length(): number {
    return this.count
  }

  /** Bytes held for the samples (the buffer's size). */
  get byteCapacity(): number {
    return this.bytes.length
  }

  private oldest(): number {
    return (this.next - this.count + this.capacity) % this.capacity
  }

  push(ms: number, text: string): void {
    const len = Buffer.byteLength(text, 'utf8')
    if (this.count === this.capacity) this.count-- // the oldest makes room
    const at = this.place(len)
    this.bytes.write(text, at, len, 'utf8')
    this.starts[this.next] = at
    this.lengths[this.next] = len
    this.times[this.next] = ms
    this.head = at + len
    this.next = (this.next + 1) % this.capacity
    this.count++
  }

  /** Offset for `len` more bytes in the free space, after growing the buffer when there is none. */
  private place(len: number): number {
    const size = this.bytes.length
    if (this.count === 0) {
      if (len > size) this.grow(len)
      return 0
    }
    const tail = this.starts[this.oldest()] as number
    const newest = (this.next - 1 + this.capacity) % this.capacity
    const wrapped = (this.starts[newest] as number) < tail
    if (!wrapped) {
      if (this.head + len <= size) return this.head
      if (len <= tail) return 0
    } else if (this.head + len <= tail) return this.head
    this.grow(len)
    return this.head
  }

  /** A larger buffer holding the kept samples in order from offset 0, with room for `len` more. */
  private grow(len: number): void {
    let live = 0
    const first = this.oldest()
    for (let i = 0; i < this.count; i++) live += this.lengths[(first + i) % this.capacity] as number
    const needed = live + len
    const full = Math.ceil((needed / (this.count + 1)) * this.capacity * SLACK)
    const size = Math.max(needed, Math.min(Math.max(2 * needed, MIN_BYTES), Math.max(full, needed)))
    const bytes = Buffer.allocUnsafeSlow(size)
    let at = 0
    for (let i = 0; i < this.count; i++) {
      const k = (first + i) % this.capacity
      const start = this.starts[k] as number
      const n = this.lengths[k] as number
      this.bytes.copy(bytes, at, start, start + n)
      this.starts[k] = at
      at += n
    }
    this.bytes = bytes
    this.head = at
  }

  /** Oldest first, those with `from <= time < to`. */
  between(from: number, to: number): Telemetry[] {
    const out: Telemetry[] = []
    const first = this.oldest()
    for (let i = 0; i < this.count; i++) {
      const k = (first + i) % this.capacity
      const ms = this.times[k] as number
      if (ms >= from && ms < to) {
        const start = this.starts[k] as number
        out.push(
          JSON.parse(this.bytes.toString('utf8', start, start + (this.lengths[k] as number))) as Telemetry,
        )
      }
    }
    return out
  }

  /** Time of the oldest sample (+∞ when empty). */
  firstTime(): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY
    return this.times[this.oldest()] as number
  }
}
