/**
 * Unauthenticated failures (wrong passwords, refused enrollments, rate-limited attempts) are aggregated
 * before they reach the audit log: one entry per action and client address per window, with the count
 * and up to five of the names tried, instead of one entry per attempt. A flood from one address costs
 * one line a window; `close()` writes what is pending.
 */
import type { AuditEntry } from '../store/types.js'

interface Pending {
  action: string
  ip: string
  count: number
  first: string
  names: Set<string>
}

const MAX_NAMES = 5
const MAX_KEYS = 10_000

export class FailureAudit {
  private pending = new Map<string, Pending>()
  private dropped = 0
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly write: (entry: Omit<AuditEntry, 'ts'>) => void,
    windowMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), windowMs)
    this.timer.unref()
  }

  record(action: string, ip: string, name?: string, now = new Date()): void {
    const key = `${action}\u0000${ip}`
    let p = this.pending.get(key)
    if (!p) {
      if (this.pending.size >= MAX_KEYS) {
        this.dropped++
        return
      }
      p = { action, ip, count: 0, first: now.toISOString(), names: new Set() }
      this.pending.set(key, p)
    }
    p.count++
    if (name !== undefined && p.names.size < MAX_NAMES) p.names.add(name.slice(0, 128))
  }

  flush(): void {
    const batch = this.pending
    this.pending = new Map()
    for (const p of batch.values()) {
      const names = p.names.size > 0 ? ` (tried: ${[...p.names].join(', ')})` : ''
      this.write({
        actor: 'anonymous',
        action: p.action,
        ok: false,
        ip: p.ip,
        detail: `${p.count} failure${p.count === 1 ? '' : 's'} since ${p.first}${names}`,
      })
    }
    if (this.dropped > 0) {
      this.write({
        actor: 'anonymous',
        action: 'audit.overflow',
        ok: false,
        detail: `${this.dropped} failures from further addresses not itemised`,
      })
      this.dropped = 0
    }
  }

  close(): void {
    clearInterval(this.timer)
    this.flush()
  }
}
