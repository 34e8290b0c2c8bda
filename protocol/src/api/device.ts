import { type Static, Type } from '../schema.js'

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
