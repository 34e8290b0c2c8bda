/**
 * Delivery: state messages go through the durable outbox and are published in `seq` order (QoS 1,
 * retained as the protocol says) while the link is up, each removed only after the hub acknowledged
 * it; telemetry is published directly (QoS 0) and falls back to the outbox's bounded ring when the
 * link is down. `flush` is the shutdown path: pending outbox writes land, then what is queued is
 * delivered while the link is up, within a deadline.
 */
import type { DeviceMessageKind, Telemetry } from '@vigil/protocol'
import { DEVICE_MESSAGE_DELIVERY } from '@vigil/protocol/wire'
import { type Clock, within } from '../clock.js'
import type { Link } from '../link/mqtt-link.js'
import type { Logger } from '../logger.js'
import type { Outbox, OutboxItem } from '../outbox/outbox.js'

export interface DeliveryDeps {
  outbox(): Outbox | undefined
  link(): Link | undefined
  topicOf(kind: DeviceMessageKind): string
  /** Called after each message the broker acknowledged (with its outbox item), or telemetry was sent. */
  delivered(item?: OutboxItem): void
  clock: Clock
  log: Logger
}

export interface Delivery {
  enqueue(kind: Exclude<DeviceMessageKind, 'telemetry'>, payload: object): Promise<void>
  drain(): Promise<void>
  sendTelemetry(sample: Telemetry): Promise<void>
  /** Lets pending outbox writes finish and delivers what is queued while connected, for at most `ms`. */
  flush(ms: number): Promise<void>
}

export function createDelivery(d: DeliveryDeps): Delivery {
  let current: Promise<void> | undefined
  let again = false

  /** Publishes the outbox head until it is empty or the link is down; true when it ran out of items. */
  async function run(outbox: Outbox): Promise<boolean> {
    try {
      for (let item = outbox.next(); item; item = outbox.next()) {
        const link = d.link()
        if (!link?.connected) return false
        const rule = DEVICE_MESSAGE_DELIVERY[item.kind]
        await link.publish(d.topicOf(item.kind), JSON.stringify(item.payload), {
          qos: 1,
          retain: rule.retained,
        })
        await outbox.remove(item)
        d.delivered(item)
      }
      return true
    } catch (err) {
      d.log.debug(`delivery paused: ${(err as Error).message}`)
      return false
    }
  }

  function drain(): Promise<void> {
    const outbox = d.outbox()
    if (!outbox) return Promise.resolve()
    if (current) {
      again = true
      return current
    }
    again = false
    current = run(outbox).then((emptied) => {
      current = undefined
      // Something was added while the last publish was in flight.
      if (emptied && again && outbox.next() && d.link()?.connected) void drain()
    })
    return current
  }

  return {
    drain,
    async enqueue(kind, payload) {
      const outbox = d.outbox()
      if (!outbox) return
      await outbox.add(kind, payload)
      void drain()
    },
    async sendTelemetry(sample) {
      const link = d.link()
      if (link?.connected) {
        try {
          await link.publish(d.topicOf('telemetry'), JSON.stringify(sample), { qos: 0, retain: false })
          d.delivered()
          return
        } catch {
          // fall through to the ring
        }
      }
      await d.outbox()?.addTelemetry(sample)
    },
    async flush(ms) {
      const outbox = d.outbox()
      if (!outbox) return
      const deadline = d.clock.now().getTime() + ms
      const left = () => deadline - d.clock.now().getTime()
      if (!(await within(d.clock, outbox.idle(), left()))) return
      while (outbox.next() && d.link()?.connected && left() > 0) {
        const head = outbox.next()
        if (!(await within(d.clock, drain(), left()))) return
        if (outbox.next() === head) return // no progress (link went down)
      }
    },
  }
}
