/**
 * The embedded broker (aedes) with Vigil's policy: only enrolled devices connect, each publishes only
 * under its own topic, per-device rate limit, maximum packet size, drain timeout, TCP_NODELAY. The hub
 * itself uses aedes' in-process API (no network client), so no MQTT client is privileged.
 */
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import type { Server as HttpServer } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { type ParsedTopic, parseTopic } from '@vigil/protocol'
import { Aedes, type AuthenticateError, type Client } from 'aedes'
import { createWebSocketStream, WebSocketServer } from 'ws'
import type { BusHandlers, DeviceBus } from './bus.js'
import { DeviceMeter } from './meter.js'
import { hubPersistence } from './persistence.js'
import {
  authorizeConnect,
  authorizePublish,
  authorizeSubscribe,
  type DeviceCredentials,
  PacketSizeGuard,
} from './policy.js'

export interface EmbeddedBrokerOptions {
  host: string
  port: number
  tls?: { port: number; certFile: string; keyFile: string }
  /** Listen for plaintext MQTT on `port` too when `tls` is set (default: only without TLS). */
  plaintext?: boolean
  /** MQTT over WebSocket on an existing HTTP server. */
  ws?: { server: HttpServer; path: string }
  maxPacketBytes: number
  ratePerSec: number
  burst: number
  /** Payload bytes per second and device, and the burst allowed above it. */
  bytesPerSec: number
  bytesBurst: number
  /** 'refuse': a second connection with a connected device's credentials is refused (CONNACK 5). */
  takeover?: 'allow' | 'refuse'
  drainTimeoutMs: number
  lookup(deviceId: string): DeviceCredentials | undefined
  handlers: BusHandlers
  now?: () => number
}

// aedes keeps its live clients by id; its type declarations do not list the map.
type AedesWithClients = Aedes & { clients: Record<string, Client | undefined> }

type DeviceTopic = Extract<ParsedTopic, { type: 'device' }>

/**
 * Device topics that passed `authorizePublish`, parsed once: the policy and the in-process subscriber
 * of every later message on the same topic reuse the parse (no slices, regex or object per message).
 * Only authorized topics enter, so it holds at most (enrolled devices × kinds) entries; the cap is a
 * backstop (emptied, then refilled by the live topics).
 */
class DeviceTopicCache {
  private readonly parsed = new Map<string, DeviceTopic>()

  constructor(private readonly max = 200_000) {}

  get(topic: string): DeviceTopic | undefined {
    return this.parsed.get(topic)
  }

  remember(topic: string, parsed: DeviceTopic): void {
    if (this.parsed.size >= this.max) this.parsed.clear()
    this.parsed.set(topic, parsed)
  }
}

function addressOf(client: Client): { address?: string } {
  const address = (client.conn as Partial<Socket> | undefined)?.remoteAddress
  return typeof address === 'string' ? { address } : {}
}

function authError(message: string, returnCode: 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<DeviceBus> {
  const now = opts.now ?? Date.now
  /**
   * aedes 1.x writes a QoS 1 PUBACK before it hands the message to subscribers, so the hub takes device
   * messages here, in `authorizePublish`, which aedes runs before it acknowledges: `done` is called
   * only once what the message changed is durable. `done(error)` (not stored) makes aedes close the
   * connection without a PUBACK, and the agent sends the message again after reconnecting.
   * [MQTT-4.3.2-2] the receiver acknowledges after it has taken ownership of the message.
   */
  const ingest = (
    packet: { topic: string; payload: Buffer | string },
    parsed: ParsedTopic | undefined,
    done: (err: Error | null) => void,
  ) => {
    if (parsed?.type !== 'device') return done(null)
    let stored: Promise<void> | undefined
    try {
      stored = opts.handlers.message({
        deviceId: parsed.deviceId,
        kind: parsed.kind,
        payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      })
    } catch (err) {
      // The handler never throws by contract; if it did, the message is not acknowledged.
      return done(err instanceof Error ? err : new Error(String(err)))
    }
    if (!stored) return done(null)
    stored.then(
      () => done(null),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    )
  }
  // Kept across reconnects: a device cannot refill its budget by connecting again.
  const meter = new DeviceMeter({
    ratePerSec: opts.ratePerSec,
    burst: opts.burst,
    bytesPerSec: opts.bytesPerSec,
    bytesBurst: opts.bytesBurst,
  })
  const live = new Map<string, Client>()
  const deviceTopics = new DeviceTopicCache()
  const broker = (await Aedes.createBroker({
    persistence: hubPersistence(),
    drainTimeout: opts.drainTimeoutMs,
    maxClientsIdLength: 64,
    authenticate(client, username, password, done) {
      const device = username ? opts.lookup(username) : undefined
      const verdict = authorizeConnect({ clientId: client.id, username, password, device })
      if (verdict.ok && opts.takeover === 'refuse' && live.has(client.id)) {
        // The first connection is alive: the newcomer is refused, never silently.
        opts.handlers.takeover?.(client.id, { refused: true, ...addressOf(client) })
        return done(authError('the device is connected already', 5), null)
      }
      if (verdict.ok) {
        // aedes closes the live session when this one registers (before `clientReady`): say so here.
        if (live.has(client.id)) opts.handlers.takeover?.(client.id, { refused: false, ...addressOf(client) })
        return done(null, true)
      }
      // Label only known devices: unknown usernames must not grow the metrics without bound.
      opts.handlers.rejected(verdict.reason, device && username ? username : '', verdict.message)
      // [MQTT-3.2.2-3] CONNACK 4 = bad user name or password, 5 = not authorized
      done(authError(verdict.message, verdict.reason === 'disabled' ? 5 : 4), null)
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null) // the hub's own in-process publish
      const cached = deviceTopics.get(packet.topic)
      const parsed = cached ?? parseTopic(packet.topic)
      const verdict = authorizePublish(
        {
          clientId: client.id,
          topic: packet.topic,
          retain: packet.retain,
          payloadBytes: packet.payload.length,
          maxPayloadBytes: opts.maxPacketBytes,
        },
        parsed,
      )
      if (verdict.ok && !cached && parsed?.type === 'device') deviceTopics.remember(packet.topic, parsed)
      if (!verdict.ok) {
        opts.handlers.rejected(verdict.reason, client.id, verdict.message)
        // MQTT 3.1.1 has no negative PUBACK: an error here makes aedes close the connection.
        return done(new Error(verdict.message))
      }
      const wait = meter.take(client.id, packet.payload.length, now())
      if (wait === 0) return ingest(packet, parsed, done)
      // Throttle: stop reading from this device's socket until its bucket has refilled.
      opts.handlers.throttled?.(client.id)
      client.conn.pause()
      setTimeout(() => {
        client.conn.resume()
        ingest(packet, parsed, done)
      }, wait).unref()
    },
    authorizeSubscribe(client, sub, done) {
      if (authorizeSubscribe(client.id, sub.topic)) return done(null, sub)
      opts.handlers.rejected('subscribe', client.id, `may not subscribe to ${sub.topic}`)
      done(null, null) // [MQTT-3.9.3] SUBACK 0x80 for this filter
    },
  })) as AedesWithClients

  broker.on('clientReady', (client) => {
    const takeover = live.has(client.id)
    live.set(client.id, client)
    if (!takeover) opts.handlers.connected?.(client.id)
  })
  broker.on('clientDisconnect', (client) => {
    if (live.get(client.id) !== client) return
    live.delete(client.id)
    opts.handlers.disconnected?.(client.id)
  })

  const onSocket = (socket: Socket | ReturnType<typeof createWebSocketStream>) => {
    if ('setNoDelay' in socket) socket.setNoDelay(true)
    const guard = new PacketSizeGuard(opts.maxPacketBytes)
    const read = socket.read.bind(socket)
    // aedes pulls with `read()`; checking each chunk here refuses an oversize packet from its header.
    socket.read = (size?: number) => {
      const chunk: unknown = read(size)
      if (chunk instanceof Uint8Array) {
        const over = guard.feed(chunk)
        if (over !== undefined) {
          opts.handlers.rejected('oversize', '', `packet of ${over} bytes exceeds ${opts.maxPacketBytes}`)
          socket.destroy()
          return null
        }
      }
      return chunk
    }
    broker.handle(socket)
  }

  const servers: Server[] = []
  let tcpServer: Server | undefined
  let tlsServer: Server | undefined
  try {
    // Plaintext MQTT only without TLS, or when explicitly kept open beside it.
    if (!opts.tls || opts.plaintext === true) {
      const tcp = createServer({ noDelay: true }, onSocket)
      servers.push(tcp)
      tcpServer = tcp
      tcp.listen(opts.port, opts.host)
      await once(tcp, 'listening')
    }
    if (opts.tls) {
      const [cert, key] = await Promise.all([readFile(opts.tls.certFile), readFile(opts.tls.keyFile)])
      const tls = createTlsServer({ cert, key }, (s) => onSocket(s))
      servers.push(tls)
      tlsServer = tls
      tls.listen(opts.tls.port, opts.host)
      await once(tls, 'listening')
    }
  } catch (err) {
    // Leave nothing running (timers, half-open servers) when a port is taken or a file is missing.
    for (const s of servers) if (s.listening) s.close()
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    throw new Error(`MQTT broker cannot start: ${(err as Error).message}`)
  }
  let wss: WebSocketServer | undefined
  if (opts.ws) {
    const { server, path } = opts.ws
    wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPacketBytes + 16 })
    server.on('upgrade', (req, socket, head) => {
      if (!wss || new URL(req.url ?? '/', 'http://x').pathname !== path) return // socket.io's, or nobody's
      ;(socket as Socket).setNoDelay(true)
      wss.handleUpgrade(req, socket, head, (ws) => onSocket(createWebSocketStream(ws)))
    })
  }
  const portOf = (s: Server | undefined) => {
    const a = s?.address()
    return a && typeof a === 'object' ? a.port : undefined
  }

  return {
    mode: 'embedded',
    publish(topic, payload, { qos, retain }) {
      return new Promise((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      )
    },
    isConnected: (deviceId) => live.has(deviceId),
    disconnect(deviceId) {
      broker.clients[deviceId]?.close()
    },
    ports: () => ({ mqtt: portOf(tcpServer), mqtts: portOf(tlsServer) }),
    async close() {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
      for (const ws of wss?.clients ?? []) ws.terminate()
      wss?.close()
      wss = undefined
      for (const client of Object.values(broker.clients)) client?.close()
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await Promise.all(closed)
    },
  }
}
