/**
 * MQTT topics without schemas (the light half of topics.ts, for `@vigil/protocol/wire`). Every topic
 * string in Vigil is built here; no other file writes one.
 *
 *   vigil/v1/dev/<deviceId>/<kind>     device → hub (a device publishes only under its own id)
 *   vigil/v1/dev/<deviceId>/cmd/req    hub → device (commands)
 *   vigil/v1/fleet/baseline            hub → devices (retained hardening baseline)
 */

export const TOPIC_ROOT = 'vigil/v1'

/** Delivery rules of the message kinds a device publishes (topics.ts adds each kind's schema). */
export const DEVICE_MESSAGE_DELIVERY = {
  state: { qos: 1, retained: true },
  inventory: { qos: 1, retained: false },
  hardening: { qos: 1, retained: false },
  telemetry: { qos: 0, retained: false },
  event: { qos: 1, retained: false },
  rollout: { qos: 1, retained: false },
  'cmd/res': { qos: 1, retained: false },
} as const satisfies Record<string, { qos: 0 | 1; retained: boolean }>

export type DeviceMessageKind = keyof typeof DEVICE_MESSAGE_DELIVERY
export const DEVICE_MESSAGE_KINDS = Object.keys(DEVICE_MESSAGE_DELIVERY) as DeviceMessageKind[]

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
  /** Subscription filter for everything every device publishes (the hub's subscription). */
  allDevices: () => `${TOPIC_ROOT}/dev/+/#`,
  /** The same filter as an MQTT 5 shared subscription, for several hubs behind one external broker. */
  sharedAllDevices: (group = 'vigil-hub') => `$share/${group}/${TOPIC_ROOT}/dev/+/#`,
} as const

export type ParsedTopic =
  | { type: 'device'; deviceId: string; kind: DeviceMessageKind }
  | { type: 'command'; deviceId: string }
  | { type: 'baseline' }

const KINDS = new Set<string>(DEVICE_MESSAGE_KINDS)

/** Parses a concrete topic; `undefined` when it is not a Vigil topic or names an unknown kind. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const prefix = `${TOPIC_ROOT}/`
  if (!topic.startsWith(prefix)) return undefined
  const rest = topic.slice(prefix.length)
  if (rest === 'fleet/baseline') return { type: 'baseline' }
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
