/**
 * External broker mode (`VIGIL_MQTT_URL`): no embedded broker; the hub is an MQTT 5 client and receives
 * device messages through a shared subscription (`$share/<group>/vigil/v1/dev/+/#`), so several hub
 * processes split one broker's load. The broker's own ACLs must confine each device to its topics.
 *
 * The hub's session is persistent (clean start off, a session expiry, a stable client id, QoS 1): what
 * the broker queued for it while it was away, or sent without getting a PUBACK, comes again when it
 * reconnects. A PUBACK is sent only once the message is stored, so nothing acknowledged is lost.
 * With PostgreSQL, several hubs share a fixed set of such sessions instead ("slots", `slots.ts`).
 */
import { parseTopic, topics } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
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

/** One MQTT connection of the hub to the external broker. */
export interface HubSession {
  readonly client: MqttClient
  /**
   * Stops taking messages (those arriving from now on are left unacknowledged, so the broker gives them
   * to the session's next holder) and waits until every message being stored is acknowledged.
   */
  drain(): Promise<void>
  /** Ends the connection; `force` does not wait for anything (the session stays at the broker). */
  close(force?: boolean): Promise<void>
}

export interface HubSessionOptions {
  url: string
  username?: string
  password?: string
  clientId: string
  /** false: a persistent session (resumed with what was queued for it); true: a fresh one, kept 0 s. */
  clean: boolean
  sessionExpirySec: number
  /** Subscribes the shared device subscription of this group (when the session does not have it). */
  shareGroup?: string
  handlers?: BusHandlers
  /** Subscribe at the first connection even when the broker resumed the session (single-hub mode). */
  subscribeAlways?: boolean
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean
  connectTimeoutMs?: number
}

/** Connects one hub session; resolves once it is connected and subscribed. */
export async function openHubSession(opts: HubSessionOptions): Promise<HubSession> {
  const client = mqtt.connect(opts.url, {
    protocolVersion: 5,
    clientId: opts.clientId,
    clean: opts.clean,
    properties: { sessionExpiryInterval: opts.clean ? 0 : opts.sessionExpirySec },
    reconnectPeriod: opts.reconnect === false ? 0 : 1000,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
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
  let draining = false
  const pending = new Set<Promise<unknown>>()
  const handlers = opts.handlers
  // MQTT.js sends the PUBACK of a QoS 1 message once this callback is called: after the hub stored
  // what the message changed. A message it could not store is not acknowledged.
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== 'publish' || !handlers) return callback()
    // Draining: never acknowledged here; the broker keeps it in the session for its next holder.
    if (draining) return
    const parsed = parseTopic(packet.topic)
    if (parsed?.type !== 'device') return callback()
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    const stored = handlers.message({ deviceId: parsed.deviceId, kind: parsed.kind, payload })
    if (!stored) return callback()
    const settled = stored.then(
      () => callback(),
      (err: unknown) => {
        if (packet.qos > 0) reconnectForRedelivery()
        callback(err instanceof Error ? err : new Error(String(err)))
      },
    )
    pending.add(settled)
    void settled.finally(() => pending.delete(settled))
  }
  const shareGroup = opts.shareGroup
  const subscribe = async () => {
    if (!shareGroup) return
    const granted = await client.subscribeAsync(topics.sharedAllDevices(shareGroup), { qos: 1 })
    const code = granted[0]?.qos ?? 128
    if (code >= 128) throw new Error(`the broker refused the hub's subscription (reason ${code})`)
  }
  let sessionPresent = false
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      client.off('connect', ok)
      client.end(true)
      reject(new Error(`cannot connect to the external broker ${opts.url}: ${err.message}`))
    }
    const closed = () => fail(new Error('the connection closed'))
    const ok = (connack: mqtt.IConnackPacket) => {
      sessionPresent = connack.sessionPresent === true
      client.off('error', fail)
      if (opts.reconnect === false) client.off('close', closed)
      resolve()
    }
    client.once('error', fail)
    // Without reconnection, a refused or dropped first connection only closes.
    if (opts.reconnect === false) client.once('close', closed)
    client.once('connect', ok)
  })
  // A resumed session keeps its subscription; subscribing again would wait for the SUBACK behind every
  // message queued in it (MQTT.js handles a connection's packets in order, each after its commit).
  if (!sessionPresent || opts.subscribeAlways) await subscribe()
  // Resubscribe after a reconnect that lost the session.
  client.on('connect', (connack) => {
    if (!connack.sessionPresent) subscribe().catch(() => {})
  })
  client.on('error', () => {})
  return {
    client,
    async drain() {
      draining = true
      while (pending.size > 0) await Promise.allSettled([...pending])
    },
    async close(force = false) {
      clearTimeout(redeliver)
      await client.endAsync(force)
    },
  }
}

/** The publishing half of the bus, over one session. */
export function publishingBus(
  session: HubSession,
  onPublishError: ExternalBrokerOptions['onPublishError'],
  close: () => Promise<void>,
): DeviceBus {
  return {
    mode: 'external',
    // Resolves once MQTT.js holds the message (it sends it again after a reconnect until the broker
    // acknowledges it), not on the PUBACK: a PUBACK is read only after the message being ingested is
    // acknowledged, so an ingest that publishes (a command after a birth) and awaited the PUBACK
    // would wait for itself.
    async publish(topic, payload, { qos, retain }) {
      session.client.publish(topic, payload, { qos, retain }, (err) => {
        if (err) onPublishError?.(topic, err)
      })
    },
    isConnected: () => undefined,
    disconnect() {
      // The external broker owns connections; disabling a device there is the broker's ACL's job.
    },
    ports: () => ({}),
    close,
  }
}

/** One hub, one persistent session (`clientId`), subscribed to the group. */
export async function connectExternalBroker(opts: ExternalBrokerOptions): Promise<DeviceBus> {
  const session = await openHubSession({
    url: opts.url,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
    clientId: opts.clientId,
    clean: false,
    sessionExpirySec: opts.sessionExpirySec,
    shareGroup: opts.shareGroup,
    handlers: opts.handlers,
    subscribeAlways: true,
  })
  return publishingBus(session, opts.onPublishError, () => session.close())
}
