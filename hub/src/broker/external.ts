/**
 * External broker mode (`VIGIL_MQTT_URL`): no embedded broker; the hub is an MQTT 5 client and receives
 * device messages through a shared subscription (`$share/<group>/vigil/v1/dev/+/#`), so several hub
 * processes split one broker's load. The broker's own ACLs must confine each device to its topics.
 *
 * The hub's session is persistent (clean start off, a session expiry, a stable client id, QoS 1): what
 * the broker queued for it while it was away, or sent without getting a PUBACK, comes again when it
 * reconnects. A PUBACK is sent only once the message is stored, so nothing acknowledged is lost.
 */
import { parseTopic, topics } from '@vigil/protocol'
import mqtt from 'mqtt'
import type { BusHandlers, DeviceBus } from './bus.js'

export interface ExternalBrokerOptions {
  url: string
  username?: string
  password?: string
  clientId: string
  /** How long the broker keeps the hub's session while it is disconnected. */
  sessionExpirySec: number
  shareGroup: string
  handlers: BusHandlers
  /** A hub message the broker refused (e.g. its ACL) or that could not be sent. */
  onPublishError?: (topic: string, err: Error) => void
}

export async function connectExternalBroker(opts: ExternalBrokerOptions): Promise<DeviceBus> {
  const client = mqtt.connect(opts.url, {
    protocolVersion: 5,
    clientId: opts.clientId,
    clean: false,
    properties: { sessionExpiryInterval: opts.sessionExpirySec },
    reconnectPeriod: 1000,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
  })
  // A message the hub could not store is not acknowledged, and MQTT 5 lets a broker send it again only
  // on a new connection: so the hub reconnects (at most once a second), resuming its session.
  let redeliver: NodeJS.Timeout | undefined
  const reconnectForRedelivery = () => {
    redeliver ??= setTimeout(() => {
      redeliver = undefined
      if (client.connected) client.stream.destroy()
    }, 1000)
  }
  // MQTT.js sends the PUBACK of a QoS 1 message once this callback is called: after the hub stored
  // what the message changed. A message it could not store is not acknowledged.
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== 'publish') return callback()
    const parsed = parseTopic(packet.topic)
    if (parsed?.type !== 'device') return callback()
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    const stored = opts.handlers.message({ deviceId: parsed.deviceId, kind: parsed.kind, payload })
    if (!stored) return callback()
    stored.then(
      () => callback(),
      (err: unknown) => {
        if (packet.qos > 0) reconnectForRedelivery()
        callback(err instanceof Error ? err : new Error(String(err)))
      },
    )
  }
  const subscribe = async () => {
    const granted = await client.subscribeAsync(topics.sharedAllDevices(opts.shareGroup), { qos: 1 })
    const code = granted[0]?.qos ?? 128
    if (code >= 128) throw new Error(`the broker refused the hub's subscription (reason ${code})`)
  }
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      client.end(true)
      reject(new Error(`cannot connect to the external broker ${opts.url}: ${err.message}`))
    }
    client.once('error', fail)
    client.once('connect', () => {
      client.off('error', fail)
      resolve()
    })
  })
  await subscribe()
  // Resubscribe after a reconnect that lost the session.
  client.on('connect', (connack) => {
    if (!connack.sessionPresent) subscribe().catch(() => {})
  })
  client.on('error', () => {})

  return {
    mode: 'external',
    // Resolves once MQTT.js holds the message (it sends it again after a reconnect until the broker
    // acknowledges it), not on the PUBACK: a PUBACK is read only after the message being ingested is
    // acknowledged, so an ingest that publishes (a command after a birth) and awaited the PUBACK
    // would wait for itself.
    async publish(topic, payload, { qos, retain }) {
      client.publish(topic, payload, { qos, retain }, (err) => {
        if (err) opts.onPublishError?.(topic, err)
      })
    },
    isConnected: () => undefined,
    disconnect() {
      // The external broker owns connections; disabling a device there is the broker's ACL's job.
    },
    ports: () => ({}),
    async close() {
      clearTimeout(redeliver)
      await client.endAsync()
    },
  }
}
