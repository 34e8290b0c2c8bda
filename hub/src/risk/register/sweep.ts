/**
 * The register's periodic pass: expired acceptances reopen; overdue findings and acceptances about to
 * expire are announced once (the record remembers it, so a restart does not repeat them).
 */
import type { Finding } from '../advisories/index.js'
import type { RegisterParts } from './parts.js'
import { recordTransition } from './transitions.js'

const DAY = 86_400_000

export function sweep(p: RegisterParts, expiringWithinDays: number): void {
  const now = p.now()
  const soon = now.getTime() + expiringWithinDays * DAY
  // Derived findings are looked up once per device, not once per record.
  const cache = new Map<string, Map<string, Finding>>()
  const derivedOf = (deviceId: string) => {
    const held = cache.get(deviceId)
    if (held !== undefined) return held
    const fresh = p.derived(deviceId)
    cache.set(deviceId, fresh)
    return fresh
  }
  for (const r of p.db.records.values()) {
    if (r.state === 'accepted' && r.decision?.expiresAt !== undefined) {
      const expires = Date.parse(r.decision.expiresAt)
      if (expires <= now.getTime()) {
        const why = `acceptance expired at ${r.decision.expiresAt}`
        const { record: next, key } = recordTransition(p, r, 'open', 'system', why, now.toISOString(), {
          decision: { by: 'system', at: now.toISOString(), why },
        })
        p.emit({
          type: 'finding.transition',
          view: p.view(next),
          from: 'accepted',
          actor: 'system',
          why,
          key,
        })
        continue
      }
      if (expires <= soon && r.notified?.expiring !== r.decision.expiresAt) {
        const next = { ...r, notified: { ...r.notified, expiring: r.decision.expiresAt } }
        p.db.records.put(next)
        p.emit({ type: 'acceptance.expiring', view: p.view(next, derivedOf(r.deviceId).get(r.id)) })
      }
    }
    if (r.state !== 'open' && r.state !== 'in_progress') continue
    const view = p.view(r, derivedOf(r.deviceId).get(r.id))
    if (view.overdue && r.notified?.overdue !== view.dueDate) {
      p.db.records.put({ ...r, notified: { ...r.notified, overdue: view.dueDate } })
      p.emit({ type: 'finding.overdue', view })
    }
  }
}
