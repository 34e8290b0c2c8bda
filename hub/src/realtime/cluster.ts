/**
 * The live stream across hubs sharing one database: what another hub ingested reaches this hub's
 * dashboards. Device rows follow from the store's change feed (a device written on hub A is a registry
 * change on hub B); telemetry samples and feed items are not stored, so they travel here, over
 * PostgreSQL LISTEN/NOTIFY (`Store.cluster`), and are emitted into this hub's `HubEvents` — the live
 * stream then sends them exactly as its own, through the same per-socket checks (session, role, rooms).
 *
 * - Batched: at most one NOTIFY per `windowMs` per hub (split below PostgreSQL's 8,000-byte payload).
 * - Telemetry only of devices that a dashboard watches on some hub: each hub announces the device rooms
 *   it has subscribers for (at once for a new one, and every `announceMs`), so a fleet reporting every
 *   few seconds is not copied to every hub for nobody.
 */
import type { FeedItem, Telemetry } from '@vigil/protocol'
import type { HubEvents } from '../events/hub-events.js'
import type { ClusterChannel } from '../store/types.js'

export const LIVE_CHANNEL = 'vigil_live'
export const WATCH_CHANNEL = 'vigil_watch'
/** NOTIFY's payload limit is 8,000 bytes; room for the envelope. */
const MAX_PAYLOAD = 7800

type Sample = { deviceId: string; telemetry: Telemetry }
interface LiveBatch {
  hub: string
  feed?: FeedItem[]
  telemetry?: Sample[]
}

export interface LiveBridgeOptions {
  channel: ClusterChannel
  events: HubEvents
  /** Device ids this hub's dashboards watch right now. */
  watchedHere: () => Iterable<string>
  windowMs?: number
  announceMs?: number
  onError?: (err: unknown) => void
}

export interface LiveBridge {
  /** A dashboard here started watching a device: other hubs send its telemetry from now on. */
  watched(deviceId: string): void
  stop(): void
}

export function bridgeLiveEvents(opts: LiveBridgeOptions): LiveBridge {
  const { channel, events } = opts
  const windowMs = opts.windowMs ?? 50
  const announceMs = opts.announceMs ?? 20_000
  const hub = channel.hubId
  /** Devices watched on other hubs, until when. */
  const remoteWatch = new Map<string, number>()
  let feed: FeedItem[] = []
  let telemetry: Sample[] = []
  let timer: NodeJS.Timeout | undefined
  /** Set while re-emitting another hub's items: they are not sent back. */
  let relaying = false

  // One after the other: notifications sent on different pool connections could arrive out of order.
  let sending: Promise<void> = Promise.resolve()
  const send = (payload: string) => {
    sending = sending.then(() => channel.notify(LIVE_CHANNEL, payload)).catch((err) => opts.onError?.(err))
  }

  const flush = () => {
    timer = undefined
    const items: { kind: 'feed' | 'telemetry'; item: FeedItem | Sample; text: string }[] = [
      ...feed.map((item) => ({ kind: 'feed' as const, item, text: JSON.stringify(item) })),
      ...telemetry.map((item) => ({ kind: 'telemetry' as const, item, text: JSON.stringify(item) })),
    ]
    feed = []
    telemetry = []
    let batch: LiveBatch = { hub }
    let size = 64
    const out = () => {
      if (batch.feed || batch.telemetry) send(JSON.stringify(batch))
      batch = { hub }
      size = 64
    }
    for (const { kind, item, text } of items) {
      if (text.length + 8 > MAX_PAYLOAD - 64) continue // one item too large for a notification: not relayed
      if (size + text.length + 8 > MAX_PAYLOAD) out()
      if (kind === 'feed') {
        batch.feed ??= []
        batch.feed.push(item as FeedItem)
      } else {
        batch.telemetry ??= []
        batch.telemetry.push(item as Sample)
      }
      size += text.length + 8
    }
    out()
  }
  const queue = () => {
    timer ??= setTimeout(flush, windowMs)
  }

  const offFeed = events.on('feed', (item) => {
    if (relaying) return
    feed.push(item)
    queue()
  })
  const offTelemetry = events.on('telemetry', (sample) => {
    if (relaying) return
    const until = remoteWatch.get(sample.deviceId)
    if (until === undefined) return
    if (until < Date.now()) {
      remoteWatch.delete(sample.deviceId)
      return
    }
    telemetry.push(sample)
    queue()
  })

  const offLive = channel.listen(LIVE_CHANNEL, (payload) => {
    let batch: LiveBatch
    try {
      batch = JSON.parse(payload) as LiveBatch
    } catch {
      return
    }
    if (batch.hub === hub) return
    relaying = true
    try {
      for (const item of batch.feed ?? []) events.emit('feed', item)
      for (const sample of batch.telemetry ?? []) events.emit('telemetry', sample)
    } finally {
      relaying = false
    }
  })

  const announce = (ids: string[]) => {
    if (ids.length === 0) return
    // Split like the live batches (device ids are short; a few hundred per notification).
    let chunk: string[] = []
    let size = 64
    for (const id of ids) {
      if (size + id.length + 4 > MAX_PAYLOAD) {
        void channel.notify(WATCH_CHANNEL, JSON.stringify({ hub, devices: chunk })).catch(opts.onError)
        chunk = []
        size = 64
      }
      chunk.push(id)
      size += id.length + 4
    }
    void channel.notify(WATCH_CHANNEL, JSON.stringify({ hub, devices: chunk })).catch(opts.onError)
  }
  const offWatch = channel.listen(WATCH_CHANNEL, (payload) => {
    let msg: { hub?: string; devices?: unknown }
    try {
      msg = JSON.parse(payload) as typeof msg
    } catch {
      return
    }
    if (msg.hub === hub || !Array.isArray(msg.devices)) return
    const until = Date.now() + announceMs * 2.5
    for (const id of msg.devices) if (typeof id === 'string') remoteWatch.set(id, until)
  })
  const announcer = setInterval(() => announce([...opts.watchedHere()]), announceMs)
  announcer.unref()

  return {
    watched: (deviceId) => announce([deviceId]),
    stop: () => {
      clearInterval(announcer)
      if (timer) clearTimeout(timer)
      offFeed()
      offTelemetry()
      offLive()
      offWatch()
    },
  }
}
