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

export class TelemetryHistory {
  private readonly recent = new Map<string, Ring<Telemetry>>()
  private readonly older = new Map<string, Ring<Telemetry>>()
  private readonly lastWindow = new Map<string, number>()
  private readonly opts: Required<TelemetryHistoryOptions>

  constructor(opts: TelemetryHistoryOptions = {}) {
    this.opts = { recent: 360, downsampled: 288, downsampleWindowMs: 5 * 60_000, ...opts }
  }

  add(deviceId: string, sample: Telemetry): void {
    let recent = this.recent.get(deviceId)
    if (!recent) {
      recent = new Ring(this.opts.recent)
      this.recent.set(deviceId, recent)
    }
    recent.push(sample)
    let older = this.older.get(deviceId)
    if (!older) {
      older = new Ring(this.opts.downsampled)
      this.older.set(deviceId, older)
    }
    const window = Math.floor(Date.parse(sample.ts) / this.opts.downsampleWindowMs)
    if (this.lastWindow.get(deviceId) !== window) {
      this.lastWindow.set(deviceId, window)
      older.push(sample)
    }
  }

  /** Samples since `since` (ms epoch), oldest first: full rate where available, downsampled before. */
  query(deviceId: string, since = 0): Telemetry[] {
    const recent = this.recent.get(deviceId)?.toArray() ?? []
    const firstRecent = recent[0] ? Date.parse(recent[0].ts) : Number.POSITIVE_INFINITY
    const older = (this.older.get(deviceId)?.toArray() ?? []).filter((t) => Date.parse(t.ts) < firstRecent)
    return [...older, ...recent].filter((t) => Date.parse(t.ts) >= since)
  }

  forget(deviceId: string): void {
    this.recent.delete(deviceId)
    this.older.delete(deviceId)
    this.lastWindow.delete(deviceId)
  }
}
