/**
 * A device's volatile fields the same on every hub sharing one database (issue 13 point 3: any hub
 * answers any API request with the same data). `lastSeen` and the latest telemetry figures (`cpuPct`,
 * `memUsedPct`, `telemetryAt`) are kept in memory by the hub that ingested them and written only with
 * the device's next durable change (a fleet reporting every 10 s must not write the database for each
 * sample). Online/offline is a durable change already (connect, disconnect, will), carried by the
 * change feed.
 *
 * Each hub sends what changed here once per `windowMs`, batched over PostgreSQL NOTIFY
 * (`Store.cluster`, split below the 8,000-byte payload limit): the newest values of each device that
 * reported in the window, one entry per device however many samples it sent. The others apply an entry
 * only when it is newer than what they hold (ISO times compare as text), in memory (no write), and tell
 * the registry's listeners (the live stream) as for their own. No database write per message: a
 * window's notifications are a few statements for the whole fleet.
 *
 * A hub that starts (or whose listening connection was lost) holds the stored values until each device
 * reports again: within one telemetry interval plus `windowMs`.
 */
import type { DeviceRegistry } from '../devices/registry.js'
import type { ClusterChannel, DeviceRecord, Store } from '../store/types.js'

export const PRESENCE_CHANNEL = 'vigil_presence'
const MAX_PAYLOAD = 7800

/** [deviceId, lastSeen, telemetryAt | null, cpuPct | null, memUsedPct | null] */
type Entry = [string, string, string | null, number | null, number | null]

interface PresenceBatch {
  hub: string
  d: Entry[]
}

export interface PresenceBridgeOptions {
  channel: ClusterChannel
  store: Store
  registry: DeviceRegistry
  /** How often this hub sends what changed (default 1 s). */
  windowMs?: number
  onError?: (err: unknown) => void
}

export interface PresenceBridge {
  /** Sends what is pending now (tests, shutdown). */
  flush(): void
  stop(): void
}

const orNull = (v: unknown, type: 'string' | 'number') => v === null || typeof v === type

/** Checked before use: anything able to NOTIFY on the database reaches this channel. */
function isEntry(e: unknown): e is Entry {
  return (
    Array.isArray(e) &&
    e.length === 5 &&
    typeof e[0] === 'string' &&
    typeof e[1] === 'string' &&
    orNull(e[2], 'string') &&
    orNull(e[3], 'number') &&
    orNull(e[4], 'number')
  )
}

export function bridgePresence(o: PresenceBridgeOptions): PresenceBridge {
  const { channel, store, registry } = o
  const hub = channel.hubId
  /** Per device, the newest `lastSeen` this hub sent or applied: an older one is not sent (again). */
  const latest = new Map<string, string>()
  /** Devices whose volatile fields changed here since the last window. */
  const pending = new Set<string>()
  let applying = false

  const offRegistry = registry.onChange((c) => {
    if (applying) return
    if (c.type === 'removed') {
      latest.delete(c.id)
      pending.delete(c.id)
      return
    }
    const seen = c.device.lastSeen
    if (seen === null) return
    const known = latest.get(c.device.id)
    if (known !== undefined && seen <= known) return
    latest.set(c.device.id, seen)
    pending.add(c.device.id)
  })

  let sending: Promise<void> = Promise.resolve()
  const send = (batch: Entry[]) => {
    const payload = JSON.stringify({ hub, d: batch } satisfies PresenceBatch)
    sending = sending.then(() => channel.notify(PRESENCE_CHANNEL, payload)).catch((err) => o.onError?.(err))
  }

  const flush = () => {
    if (pending.size === 0) return
    let batch: Entry[] = []
    let size = 64
    for (const id of pending) {
      const d = store.devices.get(id)
      if (d === undefined || d.lastSeen === null) continue
      const entry: Entry = [id, d.lastSeen, d.telemetryAt ?? null, d.cpuPct ?? null, d.memUsedPct ?? null]
      const length = JSON.stringify(entry).length + 1
      if (size + length > MAX_PAYLOAD && batch.length > 0) {
        send(batch)
        batch = []
        size = 64
      }
      batch.push(entry)
      size += length
    }
    pending.clear()
    if (batch.length > 0) send(batch)
  }
  const timer = setInterval(flush, o.windowMs ?? 1000)
  timer.unref()

  const apply = (d: DeviceRecord, [, lastSeen, telemetryAt, cpuPct, memUsedPct]: Entry) => {
    if (d.lastSeen !== null && d.lastSeen >= lastSeen) return false
    d.lastSeen = lastSeen
    if (telemetryAt !== null && (d.telemetryAt === undefined || d.telemetryAt < telemetryAt)) {
      d.telemetryAt = telemetryAt
      if (cpuPct !== null) d.cpuPct = cpuPct
      if (memUsedPct !== null) d.memUsedPct = memUsedPct
    }
    return true
  }

  const offListen = channel.listen(PRESENCE_CHANNEL, (payload) => {
    let batch: PresenceBatch
    try {
      batch = JSON.parse(payload) as PresenceBatch
    } catch {
      return
    }
    if (batch.hub === hub || !Array.isArray(batch.d)) return
    applying = true
    try {
      for (const entry of batch.d) {
        if (!isEntry(entry)) continue
        const d = store.devices.get(entry[0])
        if (d === undefined || !apply(d, entry)) continue
        latest.set(d.id, entry[1])
        // The held record changed in place (as ingest's volatile figures do): kept in memory, written
        // with the device's next durable change, and told to the registry's listeners.
        registry.touched(d)
      }
    } finally {
      applying = false
    }
  })

  return {
    flush,
    stop: () => {
      clearInterval(timer)
      offRegistry()
      offListen()
    },
  }
}
