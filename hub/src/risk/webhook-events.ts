/**
 * Register events → webhook deliveries: which webhook events a register event is, and the key that
 * makes it unique (`WebhookDispatcher.enqueue`'s `key`: deliveries of one key are queued once across the
 * hubs). A key is what two hubs making the same change compute alike, and a later change does not:
 *
 * - finding.new: the finding (a finding is new once; its id names device, advisory and component);
 * - finding.transition: its history entry's key (finding, change, hash of the record it was made from);
 * - finding.overdue / acceptance.expiring: the finding and the due date / expiry announced;
 * - finding.decision by correlation: the finding, the outcomes before and after and the decision's
 *   points. (An identical decision change of an unchanged finding within the dispatcher's tombstone
 *   time, a day, is announced once.) A decision made by a request to one hub has no key.
 */
import { createHash } from 'node:crypto'
import type { RegisterEvent } from './register/register.js'
import type { WebhookDispatcher } from './webhooks/dispatcher.js'

/** The webhook events a register event of each type may be (`webhookEvents` says which it is). */
const POSSIBLE: Record<RegisterEvent['type'], readonly string[]> = {
  'finding.new': ['finding.new', 'finding.kev'],
  'finding.transition': ['finding.resolved', 'finding.reopened', 'acceptance.expired', 'finding.transition'],
  'finding.overdue': ['finding.overdue'],
  'acceptance.expiring': ['acceptance.expiring'],
  'finding.decision': ['finding.decision'],
}

/** Register event → webhook event names. */
export function webhookEvents(e: RegisterEvent): string[] {
  switch (e.type) {
    case 'finding.new':
      return e.kev ? ['finding.new', 'finding.kev'] : ['finding.new']
    case 'finding.overdue':
    case 'acceptance.expiring':
    case 'finding.decision':
      return [e.type]
    case 'finding.transition':
      if (e.view.state === 'resolved') return ['finding.resolved', 'finding.transition']
      if (e.from === 'resolved') return ['finding.reopened', 'finding.transition']
      if (e.from === 'accepted' && e.actor === 'system') return ['acceptance.expired', 'finding.transition']
      return ['finding.transition']
  }
}

/** The key of a register event's deliveries (undefined: none, every event queued). */
export function deliveryKey(e: RegisterEvent): string | undefined {
  const id = e.view.id
  switch (e.type) {
    case 'finding.new':
      return `${id} new`
    case 'finding.transition':
      return e.key
    case 'finding.overdue':
      return `${id} overdue ${e.view.dueDate}`
    case 'acceptance.expiring':
      return `${id} expiring ${e.view.decision?.expiresAt ?? ''}`
    case 'finding.decision': {
      if (!e.fromCorrelation) return undefined
      const points = createHash('sha256')
        .update(JSON.stringify(e.view.ssvc ?? null))
        .digest('base64url')
      return `${id} decision ${e.before ?? ''}>${e.view.ssvc?.outcome ?? ''} ${points}`
    }
  }
}

/**
 * Queues the webhook deliveries of a register event; answers how many. With no endpoint for the event,
 * its view is not read (a new advisory announces thousands of findings).
 */
export function announce(dispatcher: WebhookDispatcher, e: RegisterEvent): number {
  if (!dispatcher.wants(POSSIBLE[e.type])) return 0
  const data = e.type === 'finding.decision' ? { finding: e.view, before: e.before } : { finding: e.view }
  const key = deliveryKey(e)
  let n = 0
  for (const name of webhookEvents(e)) n += dispatcher.enqueue(name, data, key !== undefined ? { key } : {})
  return n
}
