/**
 * External broker mode (`VIGIL_MQTT_URL`): no embedded broker; the hub is an MQTT 5 client and receives
 * device messages through a shared subscription (`$share/<group>/vigil/v1/dev/+/#`), so several hub
 * processes split one broker's load. The broker's own ACLs must confine each device to its topics.
 */
import { parseTopic, topics } from '@vigil/protocol'
import mqtt from 'mqtt'
import type { BusHandlers, DeviceBus } from './bus.js'

export interface ExternalBrokerOptions {
  url: string
  username?: string
  password?: string
  clientId: string
  shareGroup: string
  handlers: BusHandlers
}

export async function connectExternalBroker(opts: ExternalBrokerOptions): Promise<DeviceBus> {
  const client = mqtt.connect(opts.url, {
    protocolVersion: 5,
    clientId: opts.clientId,
    clean: true,
    reconnectPeriod: 1000,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
  })
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
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
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
    async publish(topic, payload, { qos, retain }) {
      await client.publishAsync(topic, payload, { qos, retain })
    },
    isConnected: () => undefined,
    disconnect() {
      // The external broker owns connections; disabling a device there is the broker's ACL's job.
    },
    ports: () => ({}),
    async close() {
      await client.endAsync()
    },
  }
}
