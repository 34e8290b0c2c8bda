/**
 * Telemetry lives in memory, not in the store: per device the last hour at full rate, and a longer,
 * downsampled history (one sample per window).
 */
import type { Telemetry } from '@vigil/protocol'

export class Ring<T> {
  private readonly items: (T | undefined)[]
  private next = 0
  private count = 0

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity)
  }

  push(item: T): void {
    this.items[this.next] = item
    this.next = (this.next + 1) % this.capacity
    this.count = Math.min(this.count + 1, this.capacity)
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = []
    const start = (this.next - this.count + this.capacity) % this.capacity
    for (let i = 0; i < this.count; i++) {
      const item = this.items[(start + i) % this.capacity]
      if (item !== undefined) out.push(item)
    }
    return out
  }

  get length(): number {
    return this.count
  }

  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity]
  }
}

export interface TelemetryHistoryOptions {
  /** Full-rate samples kept per device (default 360 = 1 h at 10 s). */
  recent?: number
  /** Downsampled samples kept per device (default 288 = 24 h at 5 min). */
  downsampled?: number
  downsampleWindowMs?: number
}

/**
 * Samples kept as their JSON text with their time: one flat string per sample instead of the ~50 objects
 * of a parsed 1 KB sample, so an hour of a fleet's telemetry costs the garbage collector almost nothing
 * to keep (it never traces inside a string) and ingest allocates nothing more per sample (the text is the
 * payload the pipeline already decoded). Parsed again only when someone asks (a device page).
 */
class SampleRing {
  private readonly texts: (string | undefined)[]
  private readonly times: Float64Array
  private next = 0
  private count = 0

  constructor(readonly capacity: number) {
    this.texts = new Array<string | undefined>(capacity)
    this.times = new Float64Array(capacity)
  }

  push(ms: number, text: string): void {
    this.texts[this.next] = text
    this.times[this.next] = ms
    this.next = (this.next + 1) % this.capacity
    this.count = Math.min(this.count + 1, this.capacity)
  }

  /** Oldest first, those with `from <= time < to`. */
  between(from: number, to: number): Telemetry[] {
    const out: Telemetry[] = []
    const start = (this.next - this.count + this.capacity) % this.capacity
    for (let i = 0; i < this.count; i++) {
      const at = (start + i) % this.capacity
      const ms = this.times[at] ?? Number.NaN
      const text = this.texts[at]
      if (text !== undefined && ms >= from && ms < to) out.push(JSON.parse(text) as Telemetry)
    }
    return out
  }

  /** Time of the oldest sample (+∞ when empty). */
  firstTime(): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY
    return this.times[(this.next - this.count + this.capacity) % this.capacity] ?? Number.POSITIVE_INFINITY
  }
}

interface DeviceHistory {
  recent: SampleRing
  older: SampleRing
  lastWindow: number
}

export class TelemetryHistory {
  private readonly devices = new Map<string, DeviceHistory>()
  private readonly opts: Required<TelemetryHistoryOptions>

  constructor(opts: TelemetryHistoryOptions = {}) {
    this.opts = { recent: 360, downsampled: 288, downsampleWindowMs: 5 * 60_000, ...opts }
  }

  /**
   * Keeps one sample. `text` is its JSON (the validated payload as received); without it the sample is
   * serialised here.
   */
  add(deviceId: string, sample: Telemetry, text: string = JSON.stringify(sample)): void {
    let h = this.devices.get(deviceId)
    if (!h) {
      h = {
        recent: new SampleRing(this.opts.recent),
        older: new SampleRing(this.opts.downsampled),
        lastWindow: Number.NaN,
      }
      this.devices.set(deviceId, h)
    }
    const ms = Date.parse(sample.ts)
    h.recent.push(ms, text)
    const window = Math.floor(ms / this.opts.downsampleWindowMs)
    if (h.lastWindow !== window) {
      h.lastWindow = window
      h.older.push(ms, text)
    }
  }

  /** Samples since `since` (ms epoch), oldest first: full rate where available, downsampled before. */
  query(deviceId: string, since = 0): Telemetry[] {
    const h = this.devices.get(deviceId)
    if (!h) return []
    const firstRecent = h.recent.firstTime()
    const inf = Number.POSITIVE_INFINITY
    return [...h.older.between(since, firstRecent), ...h.recent.between(since, inf)]
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId)
  }
}
