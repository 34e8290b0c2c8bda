import { DeviceEvent } from '../messages/event.js'
import { CheckResult } from '../messages/hardening.js'
import { DeviceIdentity, OsRelease } from '../messages/identity.js'
import { Telemetry } from '../messages/telemetry.js'
import { type Static, Type } from '../schema.js'
import { FindingView } from './findings.js'

/**
 * One row of the fleet: what the device list, the REST API and the live stream share. Telemetry
 * figures are the latest sample; `lastSeen` is when the hub last heard from the device.
 */
export const DeviceSummary = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    online: Type.Boolean(),
    disabled: Type.Boolean(),
    lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    enrolledAt: Type.String({ format: 'date-time' }),
    hostname: Type.Optional(Type.String()),
    vendor: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    firmwareVersion: Type.Optional(Type.String()),
    os: Type.Optional(Type.String({ description: 'pretty OS name' })),
    agentVersion: Type.Optional(Type.String()),
    cpuPct: Type.Optional(Type.Number()),
    memUsedPct: Type.Optional(Type.Number()),
    telemetryAt: Type.Optional(Type.String({ format: 'date-time' })),
    packages: Type.Optional(
      Type.Integer({ description: 'number of installed packages in the last inventory' }),
    ),
    failingChecks: Type.Optional(Type.Integer()),
    deviceTime: Type.Optional(
      Type.String({ description: "the device's own clock in its last state message (shown, never trusted)" }),
    ),
    clockSkewMs: Type.Optional(
      Type.Number({
        description: 'device clock minus hub clock, set when beyond the skew threshold (5 min)',
      }),
    ),
    takeovers: Type.Optional(
      Type.Integer({
        description:
          'second MQTT connections with this device’s credentials (taken over or refused) since enrollment',
      }),
    ),
    lastTakeoverAt: Type.Optional(Type.String({ format: 'date-time' })),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'rises with every stored change of the record; send it back in If-Match so that a change made meanwhile is refused with 409',
      }),
    ),
  },
  { $id: 'DeviceSummary' },
)
export type DeviceSummary = Static<typeof DeviceSummary>

export const DeviceList = Type.Object(
  {
    devices: Type.Array(DeviceSummary),
    total: Type.Integer(),
  },
  { $id: 'DeviceList' },
)
export type DeviceList = Static<typeof DeviceList>

/**
 * `GET /api/v1/devices/:id`: the row plus what the device page shows — identity, baseline, a summary of
 * the latest inventory, the latest hardening results (with evidence) and the device's findings.
 */
export const DeviceDetail = Type.Object(
  {
    ...DeviceSummary.properties,
    identity: Type.Union([DeviceIdentity, Type.Null()]),
    baseline: Type.Union([Type.Object({ id: Type.String(), version: Type.Integer() }), Type.Null()]),
    inventory: Type.Union([
      Type.Object({
        hash: Type.String(),
        ts: Type.String({ format: 'date-time' }),
        os: OsRelease,
        firmwareVersion: Type.Union([Type.String(), Type.Null()]),
        packages: Type.Integer({ description: 'number of installed packages' }),
      }),
      Type.Null(),
    ]),
    hardening: Type.Union([
      Type.Object({
        hash: Type.String(),
        ts: Type.String({ format: 'date-time' }),
        baseline: Type.Object({ id: Type.String(), version: Type.Integer() }),
        results: Type.Array(CheckResult),
      }),
      Type.Null(),
    ]),
    findings: Type.Array(FindingView, { description: 'filled in by the risk register feature' }),
  },
  { $id: 'DeviceDetail' },
)
export type DeviceDetail = Static<typeof DeviceDetail>

/** `GET /api/v1/devices/:id/events`: events the device reported, newest first. */
export const DeviceEventList = Type.Object(
  {
    events: Type.Array(
      Type.Object({
        deviceId: Type.String(),
        receivedAt: Type.String({ format: 'date-time' }),
        event: DeviceEvent,
      }),
    ),
  },
  { $id: 'DeviceEventList' },
)
export type DeviceEventList = Static<typeof DeviceEventList>

/** `GET /api/v1/devices/:id/telemetry`: samples, oldest first (the last hour full rate, older downsampled). */
export const DeviceTelemetryList = Type.Object(
  { telemetry: Type.Array(Telemetry) },
  { $id: 'DeviceTelemetryList' },
)
export type DeviceTelemetryList = Static<typeof DeviceTelemetryList>

/** `POST /api/v1/devices/:id/commands`: the command a person may send. */
export const DeviceCommandBody = Type.Object(
  {
    cmd: Type.Union([
      Type.Literal('ping'),
      Type.Literal('rescan'),
      Type.Literal('send-inventory'),
      Type.Literal('send-hardening'),
    ]),
  },
  { additionalProperties: false, $id: 'DeviceCommandBody' },
)
export type DeviceCommandBody = Static<typeof DeviceCommandBody>
