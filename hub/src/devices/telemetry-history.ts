/**
 * Telemetry lives in memory, not in the store: per device the last hour at full rate, and a longer,
 * downsampled history (one sample per window).
 */
import type { Telemetry } from '@vigil/protocol'
import { canonicalIsoMs } from './iso-time.js'
import { SampleRing } from './sample-ring.js'
import { fits, shapeOf, type TelemetryShape } from './telemetry-shape.js'

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

interface DeviceHistory {
  recent: SampleRing
  older: SampleRing
  lastWindow: number
  /** The shape of the device's last sample, kept while its samples keep it. */
  shape: TelemetryShape | undefined
}

export class TelemetryHistory {
  private readonly devices = new Map<string, DeviceHistory>()
  private readonly opts: Required<TelemetryHistoryOptions>

  constructor(opts: TelemetryHistoryOptions = {}) {
    this.opts = { recent: 360, downsampled: 288, downsampleWindowMs: 5 * 60_000, ...opts }
  }

  /** Keeps one sample (its numbers: see sample-ring.ts). */
  add(deviceId: string, sample: Telemetry): void {
    let h = this.devices.get(deviceId)
    if (!h) {
      h = {
        recent: new SampleRing(this.opts.recent),
        older: new SampleRing(this.opts.downsampled),
        lastWindow: Number.NaN,
        shape: undefined,
      }
      this.devices.set(deviceId, h)
    }
    let shape = h.shape
    if (shape === undefined || !fits(shape, sample)) {
      shape = shapeOf(sample)
      h.shape = shape
    }
    // Kept as its time when that gives it back exactly (an agent's `toISOString()`), else as text too.
    let ms = canonicalIsoMs(sample.ts)
    let tsText: string | undefined
    if (Number.isNaN(ms)) {
      ms = Date.parse(sample.ts)
      tsText = sample.ts
    }
    h.recent.push(shape, sample, ms, tsText)
    const window = Math.floor(ms / this.opts.downsampleWindowMs)
    if (h.lastWindow !== window) {
      h.lastWindow = window
      h.older.push(shape, sample, ms, tsText)
    }
  }

  /** Bytes held by the samples of every device (their numbers and times). */
  bytes(): number {
    let sum = 0
    for (const h of this.devices.values()) sum += h.recent.bytes + h.older.bytes
    return sum
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
