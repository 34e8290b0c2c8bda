/**
 * What the hub does with each register event: tells its listeners (the live stream), queues its webhook
 * deliveries and puts the noteworthy ones in the activity feed. A finding's view is built only when one
 * of them reads it: a new advisory announces thousands of new findings, and a hub with no dashboard
 * watching and no webhook endpoint builds none of their views (the feed's few still do).
 */
import type { FeedItem, FindingView } from '@vigil/protocol'
import type { RegisterEvent } from './register/register.js'
import { announce } from './webhook-events.js'
import type { WebhookDispatcher } from './webhooks/dispatcher.js'

/** For the bench, which drives the hub's register with its event handling (`@vigil/hub/register-emit`). */
export { WebhookDispatcher } from './webhooks/dispatcher.js'

/** The feed's line for an event worth one, undefined for the others (decided before the view is read). */
export function feedMessage(e: RegisterEvent): string | undefined {
  switch (e.type) {
    case 'finding.new':
      if (!e.kev && e.severity !== 'critical') return undefined
      break
    case 'finding.transition':
      if (e.from !== 'resolved') return undefined
      break
    case 'finding.decision':
    case 'finding.overdue':
      break
    default:
      return undefined
  }
  const f: FindingView = e.view
  const what = `${f.cve ?? f.advisory} in ${f.component.name} ${f.component.version}`.trim()
  if (e.type === 'finding.new') return `${f.deviceName}: ${e.kev ? 'known-exploited' : 'critical'} ${what}`
  if (e.type === 'finding.transition') return `${f.deviceName}: ${what} is back`
  if (e.type === 'finding.decision')
    return f.ssvc?.outcome === 'immediate'
      ? `${f.deviceName}: ${what} now needs immediate action (SSVC, was ${e.before})`
      : undefined
  return `${f.deviceName}: ${what} is overdue (due ${f.dueDate})`
}

export interface EmitterOptions {
  listeners: Iterable<(event: RegisterEvent) => void>
  dispatcher: WebhookDispatcher
  feed(item: FeedItem): void
  onError(err: unknown): void
}

/** The register's `emit` (`RegisterOptions.emit`) of a hub. */
export function registerEmitter(o: EmitterOptions): (event: RegisterEvent) => void {
  return (event) => {
    for (const l of o.listeners) {
      try {
        l(event)
      } catch (err) {
        o.onError(err)
      }
    }
    announce(o.dispatcher, event)
    const message = feedMessage(event)
    if (message === undefined) return
    o.feed({
      id: `finding-${event.view.id}-${Date.now().toString(36)}`,
      ts: new Date().toISOString(),
      deviceId: event.view.deviceId,
      deviceName: event.view.deviceName,
      kind: 'finding',
      message,
    })
  }
}
