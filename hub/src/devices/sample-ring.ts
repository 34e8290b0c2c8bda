/**
 * The last `capacity` telemetry samples of one device, kept as numbers (see telemetry-shape.ts): one
 * `Float64Array` of capacity × numbers-per-sample, allocated when the first sample arrives and again
 * only when a sample has more numbers than any before it. Keeping a sample writes numbers into it and
 * allocates nothing, so ingest leaves nothing behind for the garbage collector to promote and trace (a
 * retained 1 KB text per sample did); a read builds the samples again.
 */
import type { Telemetry } from '@vigil/protocol'
import { readSample, type TelemetryShape, writeNumbers } from './telemetry-shape.js'

export class SampleRing {
  /** Each slot's shape (most often one object shared by all). */
  private readonly shapes: (TelemetryShape | undefined)[]
  /** Each slot's time, `Date.parse` of its `ts` (NaN when that cannot parse it). */
  private readonly times: Float64Array
  /** A slot's `ts` as received when `new Date(time).toISOString()` would not give it back; created on first need. */
  private texts: (string | undefined)[] | undefined
  private values = new Float64Array(0)
  /** Numbers per slot in `values`: the largest shape's count so far. */
  private stride = 0
  private next = 0
  private count = 0

  constructor(readonly capacity: number) {
    this.shapes = new Array<TelemetryShape | undefined>(capacity).fill(undefined)
    this.times = new Float64Array(capacity)
  }

  /**
   * Keeps `t`, which has `shape`, at time `ms`; `tsText` is its `ts` when that is not exactly
   * `new Date(ms).toISOString()`.
   */
  push(shape: TelemetryShape, t: Telemetry, ms: number, tsText: string | undefined): void {
    if (shape.count > this.stride) this.widen(shape.count)
    const at = this.next
    writeNumbers(shape, t, this.values, at * this.stride)
    this.shapes[at] = shape
    this.times[at] = ms
    if (tsText !== undefined) {
      if (this.texts === undefined) this.texts = new Array<string | undefined>(this.capacity).fill(undefined)
      this.texts[at] = tsText
    } else if (this.texts !== undefined) {
      this.texts[at] = undefined
    }
    this.next = (at + 1) % this.capacity
    if (this.count < this.capacity) this.count++
  }

  /** Oldest first, those with `from <= time < to`. */
  between(from: number, to: number): Telemetry[] {
    const out: Telemetry[] = []
    const start = (this.next - this.count + this.capacity) % this.capacity
    for (let i = 0; i < this.count; i++) {
      const at = (start + i) % this.capacity
      const ms = this.times[at] ?? Number.NaN
      const shape = this.shapes[at]
      if (shape === undefined || !(ms >= from && ms < to)) continue
      const ts = this.texts?.[at] ?? new Date(ms).toISOString()
      out.push(readSample(shape, this.values, at * this.stride, ts))
    }
    return out
  }

  /** Time of the oldest sample (+∞ when empty). */
  firstTime(): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY
    return this.times[(this.next - this.count + this.capacity) % this.capacity] ?? Number.POSITIVE_INFINITY
  }

  get length(): number {
    return this.count
  }

  /** Bytes held by this ring's typed arrays (the numbers and times). */
  get bytes(): number {
    return this.values.byteLength + this.times.byteLength
  }

  /** Room for `stride` numbers per slot, the samples kept so far copied over. */
  private widen(stride: number): void {
    const values = new Float64Array(this.capacity * stride)
    for (let at = 0; at < this.capacity; at++) {
      const shape = this.shapes[at]
      if (shape === undefined) continue
      const from = at * this.stride
      values.set(this.values.subarray(from, from + shape.count), at * stride)
    }
    this.values = values
    this.stride = stride
  }
}
