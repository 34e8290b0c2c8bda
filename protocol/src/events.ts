/**
 * The realtime contract between the hub and dashboards (socket.io): two interfaces, one per direction.
 * The dashboard's socket and the hub's server are both typed from these.
 */
import type { DeviceSummary } from './api/device.js'
import type { FindingView } from './api/findings.js'
import type { DeviceEvent } from './messages/event.js'
import type { Telemetry } from './messages/telemetry.js'

/** A line of the live event feed. */
export interface FeedItem {
  id: string
  ts: string
  deviceId?: string
  deviceName?: string
  kind:
    | 'device-online'
    | 'device-offline'
    | 'device-enrolled'
    | 'device-removed'
    /** A second MQTT connection with the device's credentials replaced (or was refused beside) the first. */
    | 'device-takeover'
    | DeviceEvent['kind']
    | 'finding'
    | 'manifest'
  message: string
}

export interface ServerToClientEvents {
  /** Sent once after connecting (and after every reconnect): the whole fleet. */
  'fleet:snapshot': (snapshot: { devices: DeviceSummary[]; ts: string }) => void
  /** Coalesced changes to device rows (at most one entry per device per window). */
  'fleet:delta': (delta: { devices: DeviceSummary[]; removed: string[]; ts: string }) => void
  /** Telemetry of a device the client subscribed to with `device:subscribe`. */
  'device:telemetry': (sample: { deviceId: string; telemetry: Telemetry }) => void
  'feed:item': (item: FeedItem) => void
  /**
   * Register changes (new, transitioned, resolved, reopened findings), newest state of each. Emitted by
   * hubs with the risk register. The dashboard re-reads `/api/v1/findings` when one arrives (its lists
   * are filtered, ordered and counted by the hub), at most once a second.
   */
  'finding:delta': (delta: { findings: FindingView[]; ts: string }) => void
}

export type Ack<T> = (
  result: { ok: true; data: T } | { ok: false; error: { code: string; message: string } },
) => void

export interface ClientToServerEvents {
  'device:subscribe': (deviceId: string, ack: Ack<{ telemetry: Telemetry[] }>) => void
  'device:unsubscribe': (deviceId: string) => void
}

/** Room names used by the hub for the live stream. */
export const rooms = {
  fleet: () => 'fleet',
  device: (deviceId: string) => `device:${deviceId}`,
} as const
