/**
 * Delivery: state messages go through the durable outbox and are published in order (QoS 1, retained
 * as the protocol says) while the link is up; telemetry is published directly (QoS 0) and falls back to
 * the outbox's bounded ring when the link is down.
 */
import type { DeviceMessageKind, Telemetry } from '@vigil/protocol'
import { DEVICE_MESSAGE_DELIVERY } from '@vigil/protocol/wire'
import type { Link } from './link/mqtt-link.js'
import type { Logger } from './logger.js'
import type { Outbox } from './outbox/outbox.js'

export interface DeliveryDeps {
  outbox(): Outbox | undefined
  link(): Link | undefined
  topicOf(kind: DeviceMessageKind): string
  /** Called after each message the broker acknowledged (or telemetry was sent). */
  delivered(): void
  log: Logger
}

export interface Delivery {
  enqueue(kind: Exclude<DeviceMessageKind, 'telemetry'>, payload: unknown): Promise<void>
  drain(): Promise<void>
  sendTelemetry(sample: Telemetry): Promise<void>
}

export function createDelivery(d: DeliveryDeps): Delivery {
  let draining = false

  async function drain(): Promise<void> {
    const outbox = d.outbox()
    if (draining || !outbox) return
    draining = true
    try {
      for (let item = outbox.next(); item && d.link()?.connected; item = outbox.next()) {
        const rule = DEVICE_MESSAGE_DELIVERY[item.kind]
        await d.link()?.publish(d.topicOf(item.kind), JSON.stringify(item.payload), {
          qos: 1,
          retain: rule.retained,
        })
        await outbox.remove(item)
        d.delivered()
      }
    } catch (err) {
      d.log.debug(`delivery paused: ${(err as Error).message}`)
    } finally {
      draining = false
    }
    // Something may have been added while the last publish was in flight.
    if (d.link()?.connected && outbox.next()) void drain()
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
  }
}
