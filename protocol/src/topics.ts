/**
 * MQTT topics. Every topic string in Vigil is built here; no other file writes one.
 *
 *   vigil/v1/dev/<deviceId>/<kind>     device → hub (a device publishes only under its own id)
 *   vigil/v1/dev/<deviceId>/cmd/req    hub → device (commands)
 *   vigil/v1/fleet/baseline            hub → devices (retained hardening baseline)
 */
import type { TSchema } from 'typebox'
import { CommandRequest, CommandResponse } from './messages/command.js'
import { DeviceEvent } from './messages/event.js'
import { HardeningBaseline, HardeningReport } from './messages/hardening.js'
import { Inventory } from './messages/inventory.js'
import { RolloutStatus } from './messages/manifest.js'
import { DeviceState } from './messages/state.js'
import { Telemetry } from './messages/telemetry.js'
import type { DeviceMessageKind } from './wire/topics.js'

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
} as const satisfies Record<
  DeviceMessageKind,
  { schema: TSchema; qos: 0 | 1; retained: boolean; doc: string }
>

/** Messages the hub publishes to devices. */
export const HUB_MESSAGES = {
  command: { schema: CommandRequest, qos: 1, retained: false, doc: 'command to one device' },
  baseline: { schema: HardeningBaseline, qos: 1, retained: true, doc: 'fleet hardening baseline' },
} as const satisfies Record<string, { schema: TSchema; qos: 0 | 1; retained: boolean; doc: string }>

export {
  DEVICE_MESSAGE_DELIVERY,
  DEVICE_MESSAGE_KINDS,
  type DeviceMessageKind,
  isDeviceId,
  type ParsedTopic,
  parseTopic,
  TOPIC_ROOT,
  topics,
} from './wire/topics.js'
