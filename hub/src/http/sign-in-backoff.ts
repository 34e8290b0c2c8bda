/**
 * Sign-in backoff per user *and* client address. A run of failed passwords for one username from one
 * address makes that pair wait (loginLockoutSec, doubling with each further failure, at most an hour);
 * the same user from any other address is not affected, so a stranger cannot lock the real user out.
 * It is kept in memory and keyed by the username as typed, whether or not such a user exists, so the
 * answers never tell an existing account from a missing one.
 */
const MAX_WAIT_MS = 3600_000
const FORGET_AFTER_MS = 24 * 3600_000

interface Pair {
  failures: number
  blockedUntil: number
  last: number
}

export class SignInBackoff {
  private readonly pairs = new Map<string, Pair>()

  constructor(
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
  ) {}

  private key(username: string, ip: string): string {
    return `${username.toLowerCase()}\u0000${ip}`
  }

  /** Seconds this pair must still wait (0: it may try). */
  waitSec(username: string, ip: string, now = Date.now()): number {
    const p = this.pairs.get(this.key(username, ip))
    return p && p.blockedUntil > now ? Math.ceil((p.blockedUntil - now) / 1000) : 0
  }

  failed(username: string, ip: string, now = Date.now()): void {
    const key = this.key(username, ip)
    let p = this.pairs.get(key)
    if (!p || now - p.last > FORGET_AFTER_MS) p = { failures: 0, blockedUntil: 0, last: now }
    p.failures++
    p.last = now
    const over = p.failures - this.maxFailures
    if (over >= 0) p.blockedUntil = now + Math.min(this.lockoutMs * 2 ** Math.min(over, 20), MAX_WAIT_MS)
    this.pairs.set(key, p)
    if (this.pairs.size > 50_000) this.prune(now)
  }

  succeeded(username: string, ip: string): void {
    this.pairs.delete(this.key(username, ip))
  }

  private prune(now: number): void {
    for (const [k, p] of this.pairs) if (p.blockedUntil <= now && now - p.last > 60_000) this.pairs.delete(k)
    // Still too many (a spray from many addresses): keep the newest half.
    if (this.pairs.size > 50_000) {
      const drop = [...this.pairs.entries()]
        .sort((a, b) => a[1].last - b[1].last)
        .slice(0, this.pairs.size / 2)
      for (const [k] of drop) this.pairs.delete(k)
    }
  }
}
