/** A fixed-window limit of sign-in attempts per client address (brute force slows down before lockout). */
export class AttemptLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts an attempt; answers the seconds to wait when over the limit, else 0. */
  hit(key: string, now = Date.now()): number {
    let w = this.windows.get(key)
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 }
      this.windows.set(key, w)
    }
    w.count++
    if (this.windows.size > 10_000) this.prune(now)
    return w.count > this.max ? Math.ceil((w.start + this.windowMs - now) / 1000) : 0
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k)
  }
}
