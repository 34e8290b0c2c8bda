/**
 * The live stream (socket.io on the hub's HTTP server): authenticated with the session cookie or
 * `auth.token`; a fleet snapshot on connect, then coalesced deltas; telemetry for subscribed devices.
 */
import {
  type ClientToServerEvents,
  type FindingView,
  rooms,
  type ServerToClientEvents,
} from '@vigil/protocol'
import fp from 'fastify-plugin'
import { Server } from 'socket.io'
import { authenticateToken, SESSION_COOKIE } from '../auth/sessions.js'
import { toSummary } from '../devices/registry.js'
import type { DeviceRecord } from '../store/types.js'
import { boundSendQueue, terminate } from './backpressure.js'
import { createBoundary } from './boundary.js'
import { bridgeLiveEvents } from './cluster.js'
import { Coalescer } from './coalescer.js'
import { originAllowed, parseOrigins } from './origin.js'

interface SocketData {
  username: string
  userId: string
  token: string
}

export const realtimePlugin = fp(
  async (app) => {
    const hub = app.hub
    const allowedOrigins = parseOrigins(hub.config.allowedOrigins)
    const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
      app.server,
      {
        serveClient: false,
        cors: undefined,
        // A client message is a device id: nothing legitimate comes near this.
        maxHttpBufferSize: 64 * 1024,
        allowRequest: (req, callback) => callback(null, originAllowed(req.headers, allowedOrigins)),
      },
    )
    io.use((socket, next) => {
      try {
        const auth = socket.handshake.auth as { token?: unknown }
        const cookies = app.parseCookie(socket.handshake.headers.cookie ?? '')
        const token = typeof auth?.token === 'string' ? auth.token : cookies[SESSION_COOKIE]
        const user = token ? authenticateToken(hub.store, token) : undefined
        if (!user || !token) return next(new Error('VIGIL_UNAUTHENTICATED'))
        // The fleet stream is for the hospital's own staff: a vendor sees only its manifests and advisories.
        if (user.role === 'vendor') return next(new Error('VIGIL_FORBIDDEN'))
        socket.data.username = user.username
        socket.data.userId = user.id
        socket.data.token = token
        next()
      } catch (err) {
        app.log.warn({ err }, 'live stream handshake refused')
        next(new Error('VIGIL_BAD_REQUEST'))
      }
    })

    // socket.io encodes a broadcast even for an empty room: nothing is projected or sent to nobody.
    const fleetRoom = rooms.fleet()
    const fleetWatched = () => (io.sockets.adapter.rooms.get(fleetRoom)?.size ?? 0) > 0
    const coalescer = new Coalescer<DeviceRecord>(
      hub.config.coalesceMs,
      (delta) => io.to(fleetRoom).emit('fleet:delta', { ...delta, ts: new Date().toISOString() }),
      toSummary,
      fleetWatched,
    )
    const offChange = hub.registry.onChange((change) =>
      change.type === 'changed' ? coalescer.change(change.device) : coalescer.remove(change.id),
    )
    const offTelemetry = hub.events.on('telemetry', (sample) => {
      const room = rooms.device(sample.deviceId)
      if (io.sockets.adapter.rooms.get(room)?.size) io.to(room).emit('device:telemetry', sample)
    })
    const offFeed = hub.events.on('feed', (item) => {
      if (fleetWatched()) io.to(fleetRoom).emit('feed:item', item)
    })
    // Register changes (when the risk-register feature is loaded) are batched per window like device
    // rows: a new advisory can touch thousands of findings at once, the browser gets one message.
    // Several hubs: a finding another hub created or changed (correlation runs on one hub, an operator
    // may decide through any) reaches this register through the change feed and is told here too, its
    // view taken when the window closes. The hub that made a change tells its own dashboards (onEvent);
    // the feed never brings a hub its own writes back, so no dashboard gets a change twice.
    const findingBatch = new Map<string, FindingView>()
    const remoteFindings = new Set<string>()
    const flushFindings = () => {
      findingTimer = undefined
      if (!fleetWatched()) {
        remoteFindings.clear()
        findingBatch.clear()
        return
      }
      for (const id of remoteFindings) {
        const view = app.riskRegister?.finding(id)
        if (view !== undefined) findingBatch.set(id, view)
      }
      remoteFindings.clear()
      if (findingBatch.size === 0) return
      const findings = [...findingBatch.values()]
      findingBatch.clear()
      io.to(fleetRoom).emit('finding:delta', { findings, ts: new Date().toISOString() })
    }
    let findingTimer: NodeJS.Timeout | undefined
    const offFindings: (() => void)[] = []
    app.addHook('onReady', async () => {
      const register = app.riskRegister
      if (!register) return
      offFindings.push(
        register.onEvent((event) => {
          // The view is built when first read (a new advisory announces thousands of findings): with no
          // dashboard watching, nothing reads it here.
          if (!fleetWatched()) return
          remoteFindings.delete(event.view.id)
          findingBatch.set(event.view.id, event.view)
          findingTimer ??= setTimeout(flushFindings, hub.config.coalesceMs)
        }),
        register.onRemote((id) => {
          if (!fleetWatched()) return
          findingBatch.delete(id)
          remoteFindings.add(id)
          findingTimer ??= setTimeout(flushFindings, hub.config.coalesceMs)
        }),
      )
    })
    // A live connection lasts no longer than its session: closed on sign-out, user removal or expiry.
    const revalidate = (userId?: string) => {
      for (const socket of io.sockets.sockets.values()) {
        if (userId !== undefined && socket.data.userId !== userId) continue
        if (!authenticateToken(hub.store, socket.data.token)) socket.disconnect(true)
      }
    }
    const offSessions = hub.events.on('session-ended', ({ userId }) => revalidate(userId))
    // Several hubs: a session or user removed through another hub closes its connections here too, and
    // telemetry and feed items another hub ingested reach the dashboards connected here (cluster.ts).
    const offRemote =
      hub.store.watch?.((c) => {
        if (!c.record && (c.collection === 'sessions' || c.collection === 'users')) revalidate()
      }) ?? (() => {})
    const devicePrefix = rooms.device('')
    const bridge = hub.store.cluster
      ? bridgeLiveEvents({
          channel: hub.store.cluster,
          events: hub.events,
          watchedHere: function* () {
            for (const [room, members] of io.sockets.adapter.rooms)
              if (members.size > 0 && room.startsWith(devicePrefix)) yield room.slice(devicePrefix.length)
          },
          onError: (err) => app.log.warn({ err }, 'live stream: relaying to other hubs failed'),
        })
      : undefined
    const expiry = setInterval(() => revalidate(), 60_000)
    expiry.unref()

    const boundary = createBoundary({
      log: app.log,
      registry: hub.metrics.registry,
      handlers: {
        'device:subscribe': (socket, deviceId, reply) => {
          if (!hub.registry.get(deviceId)) {
            return reply({ ok: false, error: { code: 'VIGIL_NOT_FOUND', message: `no device ${deviceId}` } })
          }
          void socket.join(rooms.device(deviceId))
          bridge?.watched(deviceId)
          reply({ ok: true, data: { telemetry: hub.telemetry.query(deviceId, Date.now() - 3600_000) } })
        },
        'device:unsubscribe': (socket, deviceId) => {
          void socket.leave(rooms.device(deviceId))
        },
      },
    })

    io.on('connection', (socket) => {
      try {
        boundSendQueue(socket, hub.config.socketMaxQueuedBytes, (bytes) => {
          hub.metrics.socketDropped.inc()
          app.log.warn({ user: socket.data.username, bytes }, 'dashboard client dropped: it does not read')
        })
        boundary.attach(socket)
        void socket.join(rooms.fleet())
        socket.emit('fleet:snapshot', {
          devices: hub.registry.all().map(toSummary),
          ts: new Date().toISOString(),
        })
      } catch (err) {
        // Same boundary for the connection itself: that one client is dropped, the hub carries on.
        app.log.error({ err, user: socket.data.username }, 'live stream connection failed')
        socket.disconnect(true)
      }
    })

    app.addHook('preClose', async () => {
      offChange()
      offTelemetry()
      offFeed()
      for (const off of offFindings) off()
      if (findingTimer) clearTimeout(findingTimer)
      offSessions()
      offRemote()
      bridge?.stop()
      clearInterval(expiry)
      coalescer.stop()
      for (const socket of io.sockets.sockets.values()) terminate(socket)
      io.engine.close()
    })
  },
  { name: 'vigil-realtime', dependencies: ['vigil-core'] },
)
