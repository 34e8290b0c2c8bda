/**
 * Per-device metering for the embedded broker: a message bucket and a byte bucket per enrolled device,
 * kept across reconnects (a device cannot refill its budget by reconnecting). Entries are keyed by
 * enrolled device id only (the policy has authenticated the connection before anything is metered) and
 * forgotten after a long inactivity, so memory stays bounded by the devices that spoke recently.
 */
import { TokenBucket } from './policy.js'

export interface MeterOptions {
  ratePerSec: number
  burst: number
  bytesPerSec: number
  bytesBurst: number
  /** An entry unused for this long is dropped (at least ten times the slowest refill). */
  idleMs?: number
}

interface Entry {
  messages: TokenBucket
  bytes: TokenBucket
  usedAt: number
}

export class DeviceMeter {
  private readonly entries = new Map<string, Entry>()
  private readonly idleMs: number
  private lastSweep = 0

  constructor(private readonly opts: MeterOptions) {
    const refillMs = Math.max(
      (opts.burst / opts.ratePerSec) * 1000,
      (opts.bytesBurst / opts.bytesPerSec) * 1000,
    )
    this.idleMs = Math.max(opts.idleMs ?? 0, refillMs * 10, 10 * 60_000)
  }

  /**
   * Takes one message of `bytes` from the device's budget; answers how many milliseconds the device
   * must wait (0: at once). A message larger than the byte burst costs the whole burst.
   */
  take(deviceId: string, bytes: number, now: number): number {
    this.sweep(now)
    let entry = this.entries.get(deviceId)
    if (!entry) {
      entry = {
        messages: new TokenBucket(this.opts.ratePerSec, this.opts.burst, now),
        bytes: new TokenBucket(this.opts.bytesPerSec, this.opts.bytesBurst, now),
        usedAt: now,
      }
      this.entries.set(deviceId, entry)
    }
    entry.usedAt = now
    const cost = Math.min(Math.max(bytes, 0), this.opts.bytesBurst)
    return Math.max(entry.messages.take(now), entry.bytes.take(now, cost))
  }

  get size(): number {
    return this.entries.size
  }

  /** Drops entries idle for longer than `idleMs` (their buckets would be full again anyway). */
  sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return
    this.lastSweep = now
    for (const [id, e] of this.entries) if (now - e.usedAt > this.idleMs) this.entries.delete(id)
  }
}
