/**
 * The one live connection to the hub (socket.io, typed from `@vigil/protocol`'s events). It owns the
 * reconnect policy, feeds the fleet and feed stores, keeps per-device telemetry subscriptions across
 * reconnects, and tells the connection indicator what it knows — nothing more.
 */
import type { ClientToServerEvents, ServerToClientEvents, Telemetry } from '@vigil/protocol'
import { io, type Socket } from 'socket.io-client'
import { type InjectionKey, type ShallowRef, shallowRef } from 'vue'
import { dashboardConfig } from '../config.js'
import { createFeedStore, type FeedStore } from '../stores/feed.js'
import { animationFrame, createFleetStore, type FleetStore, type FrameScheduler } from '../stores/fleet.js'
import { ConnectionMonitor, type ConnectionSnapshot } from './connection.js'

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>

export interface TelemetryHandlers {
  /** The recent history the hub answered the subscription with (again after every reconnect). */
  onHistory(samples: Telemetry[]): void
  onSample(sample: Telemetry): void
  onError(message: string): void
}

export interface LiveClient {
  readonly connection: ShallowRef<ConnectionSnapshot>
  readonly fleet: FleetStore
  readonly feed: FeedStore
  /**
   * Counts the hub's `finding:delta` batches (every register change: new, decided, resolved, reopened).
   * Views of findings re-read the register when it moves (`onFindingChanges`), since their filters, order
   * and totals are the hub's.
   */
  readonly findingChanges: ShallowRef<number>
  /** Live telemetry of one device; returns the function that ends the subscription. */
  subscribeDevice(deviceId: string, handlers: TelemetryHandlers): () => void
  close(): void
}

export interface LiveClientOptions {
  /** Session token for `auth.token`; without it the session cookie authenticates. */
  token: string | null
  /** Origin of the hub; defaults to the page's own origin. */
  url?: string
  now?: () => number
  schedule?: FrameScheduler
  /** Called when the hub refuses the session: the app sends the user back to sign-in. */
  onRefused?: (reason: string) => void
}

export const liveKey: InjectionKey<LiveClient> = Symbol('vigil-live')

const ACK_TIMEOUT_MS = 10_000

export function createLiveClient(opts: LiveClientOptions): LiveClient {
  const now = opts.now ?? Date.now
  const monitor = new ConnectionMonitor({
    intervalMs: dashboardConfig.streamIntervalMs,
    staleAfterIntervals: dashboardConfig.staleAfterIntervals,
    heartbeatMs: dashboardConfig.heartbeatMs,
  })
  const connection = shallowRef<ConnectionSnapshot>(monitor.snapshot(now()))
  const refresh = (): void => {
    const next = monitor.snapshot(now())
    const prev = connection.value
    if (
      next.status !== prev.status ||
      next.lastDataAt !== prev.lastDataAt ||
      next.attempts !== prev.attempts ||
      next.reason !== prev.reason
    ) {
      connection.value = next
    }
  }
  const fleet = createFleetStore(opts.schedule ?? animationFrame)
  const feed = createFeedStore(dashboardConfig.feedLimit)
  const findingChanges = shallowRef(0)
  const subscriptions = new Map<string, Set<TelemetryHandlers>>()

  const { delayMs, delayMaxMs, randomization } = dashboardConfig.reconnect
  const socketOpts = {
    path: dashboardConfig.socketPath,
    auth: opts.token ? { token: opts.token } : {},
    withCredentials: true,
    reconnection: true,
    reconnectionDelay: delayMs,
    reconnectionDelayMax: delayMaxMs,
    randomizationFactor: randomization,
  }
  const socket: LiveSocket = opts.url ? io(opts.url, socketOpts) : io(socketOpts)

  const received = (): void => {
    monitor.data(now())
    refresh()
  }

  const subscribe = (deviceId: string): void => {
    socket.timeout(ACK_TIMEOUT_MS).emit('device:subscribe', deviceId, (err, result) => {
      const handlers = subscriptions.get(deviceId)
      if (!handlers) return
      for (const h of handlers) {
        if (err) h.onError('the hub did not answer the subscription in time')
        else if (result.ok) h.onHistory(result.data.telemetry)
        else h.onError(result.error.message)
      }
    })
  }

  socket.on('connect', () => {
    monitor.connected(now())
    refresh()
    for (const id of subscriptions.keys()) subscribe(id)
  })
  socket.on('disconnect', (reason) => {
    monitor.disconnected(reason)
    refresh()
    // The hub closed this socket on purpose (e.g. a restart): socket.io leaves reconnecting to us.
    if (reason === 'io server disconnect') socket.connect()
  })
  socket.on('connect_error', (err) => {
    if (socket.active) {
      monitor.disconnected(err.message)
    } else {
      monitor.refused(err.message)
      opts.onRefused?.(err.message)
    }
    refresh()
  })
  socket.io.on('reconnect_attempt', (attempt) => {
    monitor.reconnectAttempt(attempt)
    refresh()
  })
  socket.io.on('ping', () => {
    monitor.heartbeat(now())
    refresh()
  })
  socket.on('fleet:snapshot', (snapshot) => {
    received()
    fleet.applySnapshot(snapshot)
  })
  socket.on('fleet:delta', (delta) => {
    received()
    fleet.queueDelta(delta)
  })
  socket.on('feed:item', (item) => {
    received()
    feed.push(item)
  })
  socket.on('finding:delta', () => {
    received()
    findingChanges.value++
  })
  socket.on('device:telemetry', ({ deviceId, telemetry }) => {
    received()
    for (const h of subscriptions.get(deviceId) ?? []) h.onSample(telemetry)
  })

  const ticker = setInterval(refresh, 1_000)

  return {
    connection,
    fleet,
    feed,
    findingChanges,
    subscribeDevice(deviceId, handlers) {
      let set = subscriptions.get(deviceId)
      const first = !set
      if (!set) {
        set = new Set()
        subscriptions.set(deviceId, set)
      }
      set.add(handlers)
      if (first && socket.connected) subscribe(deviceId)
      return () => {
        const current = subscriptions.get(deviceId)
        if (!current) return
        current.delete(handlers)
        if (current.size === 0) {
          subscriptions.delete(deviceId)
          if (socket.connected) socket.emit('device:unsubscribe', deviceId)
        }
      }
    },
    close() {
      clearInterval(ticker)
      subscriptions.clear()
      socket.removeAllListeners()
      socket.io.removeAllListeners()
      socket.disconnect()
      fleet.clear()
      feed.clear()
    },
  }
}
