/**
 * The durable MQTT link: mqtt.js with the device's credentials (username = clientId = deviceId),
 * persistent session, retained last will, and reconnects driven here with jittered exponential backoff
 * (mqtt.js's own fixed-period reconnect is off). Publishes are only attempted while connected; the
 * outbox owns durability, so a publish pending when the link drops is failed and retried from disk.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Clock } from '../clock.js'
import { backoffDelay } from './backoff.js'

/** Creates an mqtt.js client; tests and simulate may pass their own. */
export type Transport = (url: string, options: IClientOptions) => MqttClient

export const mqttTransport: Transport = (url, options) => mqtt.connect(url, options)

export interface LinkOptions {
  url: string
  clientId: string
  username: string
  password: string
  will: { topic: string; payload: string }
  reconnect: { minMs: number; maxMs: number }
  /** PEM CA certificates to trust for mqtts:// */
  ca?: string
  subscriptions: string[]
  clock: Clock
  transport?: Transport
  random?: () => number
  onConnect(): void
  onDisconnect(reason: string): void
  onMessage(topic: string, payload: Buffer): void
  onError(message: string, code: string): void
  onReconnectScheduled?(delayMs: number, attempt: number): void
}

export interface Link {
  readonly connected: boolean
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>
  /** Orderly stop: optional final retained message, then DISCONNECT (the will is not sent). */
  close(final?: { topic: string; payload: string }): Promise<void>
}

export class LinkDownError extends Error {
  readonly code = 'VIGIL_AGENT_LINK_DOWN'
}

/** Translates mqtt.js/socket errors into stable codes with a plain-language message. */
export function describeLinkError(
  err: Error & { code?: string | number },
  what = "the hub's MQTT address",
): { code: string; message: string } {
  const c = err.code
  if (c === 4 || c === 134)
    return {
      code: 'BAD_CREDENTIALS',
      message: 'the hub refused the device credentials (bad username or password)',
    }
  if (c === 5 || c === 135)
    return {
      code: 'NOT_AUTHORIZED',
      message: 'the hub refused this device (not authorized; revoked or disabled?)',
    }
  if (c === 'ECONNREFUSED')
    return {
      code: 'CONNECTION_REFUSED',
      message: `nothing listens at ${what} (${err.message})`,
    }
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN')
    return { code: 'DNS', message: `cannot resolve the hub's host name (${err.message})` }
  if (c === 'ETIMEDOUT' || c === 'EHOSTUNREACH' || c === 'ENETUNREACH')
    return { code: 'UNREACHABLE', message: `the hub is unreachable (${err.message})` }
  if (typeof c === 'string' && /CERT|SELF_SIGNED|TLS|SSL/.test(c)) {
    return {
      code: 'TLS',
      message: `the hub's TLS certificate is not trusted (${c}: ${err.message}); set mqttCaFile`,
    }
  }
  return {
    code: typeof c === 'string' ? c.replace(/[^A-Z0-9_]/gi, '_').toUpperCase() || 'LINK_ERROR' : 'LINK_ERROR',
    message: err.message,
  }
}

export function createLink(o: LinkOptions): Link {
  const transport = o.transport ?? mqttTransport
  let attempt = 0
  let closing = false
  let timer: unknown
  const pending = new Set<(err: Error) => void>()
  const client = transport(o.url, {
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    clean: false,
    keepalive: 30,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    queueQoSZero: false,
    resubscribe: false,
    // mqtt-packet's number cache holds 65,536 two-byte Buffers (~6 MB of heap) to save an allocation
    // per packet id; a gateway sends a few packets a minute.
    writeCache: false,
    will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
    ...(o.ca ? { ca: o.ca } : {}),
  })
  client.on('connect', () => {
    // A connect that completes after close() (mqtt.js replays a reconnect deferred during its end).
    if (closing) {
      client.end(true)
      return
    }
    attempt = 0
    // Subscribing again is harmless when the persistent session already holds the subscriptions.
    client.subscribe(o.subscriptions, { qos: 1 }, (err) => {
      if (err) o.onError(`subscribe failed: ${err.message}`, 'SUBSCRIBE_FAILED')
    })
    o.onConnect()
  })
  client.on('message', (topic, payload) => o.onMessage(topic, payload))
  client.on('error', (err) => {
    const d = describeLinkError(err as Error & { code?: string | number })
    o.onError(d.message, d.code)
  })
  client.on('close', () => {
    for (const fail of pending) fail(new LinkDownError('the link closed before the hub acknowledged'))
    pending.clear()
    if (closing) return
    o.onDisconnect('closed')
    if (timer !== undefined) return
    const delay = backoffDelay(attempt++, o.reconnect.minMs, o.reconnect.maxMs, o.random)
    o.onReconnectScheduled?.(delay, attempt)
    timer = o.clock.setTimeout(() => {
      timer = undefined
      if (!closing) client.reconnect()
    }, delay)
  })
  return {
    get connected() {
      return client.connected
    },
    publish(topic, payload, opts) {
      if (!client.connected) return Promise.reject(new LinkDownError('not connected to the hub'))
      return new Promise<void>((resolve, reject) => {
        let settled = false
        const fail = (err: Error) => {
          if (!settled) {
            settled = true
            reject(err)
          }
        }
        pending.add(fail)
        client.publish(topic, payload, { qos: opts.qos, retain: opts.retain }, (err) => {
          pending.delete(fail)
          if (settled) return
          settled = true
          if (err) reject(err)
          else resolve()
        })
      })
    },
    async close(final) {
      closing = true
      if (timer !== undefined) o.clock.clearTimeout(timer)
      timer = undefined
      if (final && client.connected) {
        await new Promise<void>((resolve) => {
          // Do not hang a shutdown on a dying link.
          const t = o.clock.setTimeout(resolve, 1500)
          client.publish(final.topic, final.payload, { qos: 1, retain: true }, () => {
            o.clock.clearTimeout(t)
            resolve()
          })
        })
      }
      await new Promise<void>((resolve) => {
        const t = o.clock.setTimeout(() => {
          client.end(true, {}, () => resolve())
          o.clock.setTimeout(resolve, 200)
        }, 1000)
        client.end(!client.connected, {}, () => {
          o.clock.clearTimeout(t)
          resolve()
        })
      })
      // Whatever mqtt.js still holds (a socket of a connect in progress) must not keep the process alive.
      client.stream?.destroy()
    },
  }
}
