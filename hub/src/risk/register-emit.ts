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

/** What a finding is about, as the feed says it: `CVE-2020-6961 in openssl 1.1.1n`. */
function subject(f: { advisory: string; cve: string | null; component: { name: string; version: string } }) {
  return `${f.cve ?? f.advisory} in ${f.component.name} ${f.component.version}`.trim()
}

/**
 * The feed's line for a new finding worth one (known-exploited or critical), without the device: the
 * new findings of one pass with the same line are one feed item (see `registerEmitter`).
 */
export function newFindingLine(e: Extract<RegisterEvent, { type: 'finding.new' }>): string | undefined {
  if (!e.kev && e.severity !== 'critical') return undefined
  return `${e.kev ? 'known-exploited' : 'critical'} ${subject(e.found)}`
}

/**
 * The feed's line for an event other than a new finding (`newFindingLine`, gathered per pass), undefined
 * for those not worth one (decided before the view is read).
 */
export function feedMessage(e: Exclude<RegisterEvent, { type: 'finding.new' }>): string | undefined {
  switch (e.type) {
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
  const what = subject(f)
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
  /** A device's name (a feed item for many devices names a few). */
  deviceName(deviceId: string): string
  onError(err: unknown): void
}

/** Devices named in a feed item for many before "and N more". */
const NAMED = 3

/**
 * The register's `emit` (`RegisterOptions.emit`) of a hub. The new findings worth a feed item that one
 * pass announces (a register pass is synchronous) are gathered by line and put in the feed once it has
 * run: a new critical advisory on 1,000 devices is one item, "critical CVE-… in … on 1,000 devices:
 * Gateway 1, Gateway 2, Gateway 3 and 997 more", not a thousand that push everything else out of the
 * operators' feed; a line for one device is the device's item, as before.
 */
export function registerEmitter(o: EmitterOptions): (event: RegisterEvent) => void {
  /** The pass's new findings by feed line, in order, with their devices. */
  let pending: Map<string, { first: RegisterEvent; devices: Set<string> }> | undefined
  /** One item about a finding: the device's own (`ofDevice`), else one about several devices. */
  const feed = (view: RegisterEvent['view'], message: string, ofDevice: boolean) => {
    const id = `finding-${view.id}-${Date.now().toString(36)}`
    const ts = new Date().toISOString()
    const device = ofDevice ? { deviceId: view.deviceId, deviceName: view.deviceName } : {}
    o.feed({ id, ts, ...device, kind: 'finding', message })
  }
  /** A pass's line on several devices, naming a few of them. */
  const fleetMessage = (line: string, view: RegisterEvent['view'], devices: Set<string>): string => {
    const names: string[] = []
    for (const d of devices) {
      if (names.length === NAMED) break
      names.push(d === view.deviceId ? view.deviceName : o.deviceName(d))
    }
    const more = devices.size > NAMED ? ` and ${(devices.size - NAMED).toLocaleString('en')} more` : ''
    return `${line} on ${devices.size.toLocaleString('en')} devices: ${names.join(', ')}${more}`
  }
  // Runs a microtask after the pass, outside the register's call: what it throws goes to `onError` (it
  // would otherwise be an uncaught exception, and one bad view must not stop the hub).
  const flush = () => {
    const groups = pending
    pending = undefined
    for (const [line, { first, devices }] of groups ?? []) {
      try {
        const view = first.view
        if (devices.size === 1) feed(view, `${view.deviceName}: ${line}`, true)
        else feed(view, fleetMessage(line, view, devices), false)
      } catch (err) {
        o.onError(err)
      }
    }
  }
  return (event) => {
    for (const l of o.listeners) {
      try {
        l(event)
      } catch (err) {
        o.onError(err)
      }
    }
    announce(o.dispatcher, event)
    if (event.type === 'finding.new') {
      const line = newFindingLine(event)
      if (line === undefined) return
      if (pending === undefined) {
        pending = new Map()
        queueMicrotask(flush)
      }
      const group = pending.get(line)
      if (group === undefined) pending.set(line, { first: event, devices: new Set([event.deviceId]) })
      else group.devices.add(event.deviceId)
      return
    }
    const message = feedMessage(event)
    if (message === undefined) return
    try {
      feed(event.view, message, true)
    } catch (err) {
      o.onError(err)
    }
  }
}
