/**
 * MQTT topics. Every topic string in Vigil is built here; no other file writes one.
 *
 *   vigil/v1/dev/<deviceId>/<kind>     device → hub (a device publishes only under its own id)
 *   vigil/v1/dev/<deviceId>/cmd/req    hub → device (commands)
 *   vigil/v1/fleet/baseline            hub → devices (retained hardening baseline)
 *   vigil/v1/fleet/manifest            hub → devices (manifest announcements)
 */
import type { TSchema } from 'typebox'
import { CommandRequest, CommandResponse } from './messages/command.js'
import { DeviceEvent } from './messages/event.js'
import { HardeningBaseline, HardeningReport } from './messages/hardening.js'
import { Inventory } from './messages/inventory.js'
import { DsseEnvelope, RolloutStatus } from './messages/manifest.js'
import { DeviceState } from './messages/state.js'
import { Telemetry } from './messages/telemetry.js'

export const TOPIC_ROOT = 'vigil/v1'

/** Message kinds a device may publish, with their delivery rules. */
export const DEVICE_MESSAGES = {
  state: {
    schema: DeviceState,
    qos: 1,
    retained: true,
    doc: 'birth (online) on every connect; last will (offline)',
  },
  inventory: {
    schema: Inventory,
    qos: 1,
    retained: false,
    doc: 'full inventory, sent when its hash changed or on request',
  },
  hardening: { schema: HardeningReport, qos: 1, retained: false, doc: 'hardening results and drift' },
  telemetry: {
    schema: Telemetry,
    qos: 0,
    retained: false,
    doc: 'periodic health sample (default every 10 s)',
  },
  event: {
    schema: DeviceEvent,
    qos: 1,
    retained: false,
    doc: 'drift, refused baseline, collector errors, …',
  },
  rollout: { schema: RolloutStatus, qos: 1, retained: false, doc: 'state of a manifest on the device' },
  'cmd/res': { schema: CommandResponse, qos: 1, retained: false, doc: 'response to a command (same tx)' },
} as const satisfies Record<string, { schema: TSchema; qos: 0 | 1; retained: boolean; doc: string }>

export type DeviceMessageKind = keyof typeof DEVICE_MESSAGES
export const DEVICE_MESSAGE_KINDS = Object.keys(DEVICE_MESSAGES) as DeviceMessageKind[]

/** Messages the hub publishes to devices. */
export const HUB_MESSAGES = {
  command: { schema: CommandRequest, qos: 1, retained: false, doc: 'command to one device' },
  baseline: { schema: HardeningBaseline, qos: 1, retained: true, doc: 'fleet hardening baseline' },
  manifest: { schema: DsseEnvelope, qos: 1, retained: false, doc: 'signed manifest announcement' },
} as const satisfies Record<string, { schema: TSchema; qos: 0 | 1; retained: boolean; doc: string }>

const ID = /^[A-Za-z0-9_-]{1,64}$/

export function isDeviceId(id: string): boolean {
  return ID.test(id)
}

function assertId(id: string): string {
  if (!ID.test(id)) throw new TypeError(`invalid device id ${JSON.stringify(id)}`)
  return id
}

export const topics = {
  /** `vigil/v1/dev/<id>/<kind>`: what a device publishes. */
  device: (deviceId: string, kind: DeviceMessageKind) => `${TOPIC_ROOT}/dev/${assertId(deviceId)}/${kind}`,
  /** `vigil/v1/dev/<id>/cmd/req`: commands to one device. */
  command: (deviceId: string) => `${TOPIC_ROOT}/dev/${assertId(deviceId)}/cmd/req`,
  baseline: () => `${TOPIC_ROOT}/fleet/baseline`,
  manifest: () => `${TOPIC_ROOT}/fleet/manifest`,
  /** Subscription filter for everything every device publishes (the hub's subscription). */
  allDevices: () => `${TOPIC_ROOT}/dev/+/#`,
  /** The same filter as an MQTT 5 shared subscription, for several hubs behind one external broker. */
  sharedAllDevices: (group = 'vigil-hub') => `$share/${group}/${TOPIC_ROOT}/dev/+/#`,
} as const

export type ParsedTopic =
  | { type: 'device'; deviceId: string; kind: DeviceMessageKind }
  | { type: 'command'; deviceId: string }
  | { type: 'baseline' }
  | { type: 'manifest' }

const KINDS = new Set<string>(DEVICE_MESSAGE_KINDS)

/** Parses a concrete topic; `undefined` when it is not a Vigil topic or names an unknown kind. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const prefix = `${TOPIC_ROOT}/`
  if (!topic.startsWith(prefix)) return undefined
  const rest = topic.slice(prefix.length)
  if (rest === 'fleet/baseline') return { type: 'baseline' }
  if (rest === 'fleet/manifest') return { type: 'manifest' }
  if (!rest.startsWith('dev/')) return undefined
  const afterDev = rest.slice(4)
  const slash = afterDev.indexOf('/')
  if (slash <= 0) return undefined
  const deviceId = afterDev.slice(0, slash)
  const kind = afterDev.slice(slash + 1)
  if (!ID.test(deviceId)) return undefined
  if (kind === 'cmd/req') return { type: 'command', deviceId }
  if (!KINDS.has(kind)) return undefined
  return { type: 'device', deviceId, kind: kind as DeviceMessageKind }
}
