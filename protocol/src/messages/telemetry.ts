import { ProtocolVersion, ShortText, type Static, Timestamp, Type } from '../schema.js'

const NonNegative = Type.Number({ minimum: 0 })

/** Periodic health sample of a device. Sizes in bytes, rates in bytes per second. */
export const Telemetry = Type.Object(
  {
    v: ProtocolVersion,
    ts: Timestamp,
    cpu: Type.Object({
      loadPct: Type.Number({ minimum: 0, maximum: 100 }),
      loadAvg: Type.Optional(Type.Array(NonNegative, { maxItems: 3 })),
    }),
    mem: Type.Object({ total: NonNegative, used: NonNegative }),
    disks: Type.Array(Type.Object({ mount: ShortText(512), size: NonNegative, used: NonNegative }), {
      maxItems: 64,
    }),
    temps: Type.Optional(
      Type.Array(Type.Object({ label: ShortText(64), celsius: Type.Number() }), { maxItems: 64 }),
    ),
    net: Type.Object({ rxBps: NonNegative, txBps: NonNegative }),
    uptimeSec: NonNegative,
    processes: Type.Integer({ minimum: 0 }),
  },
  { $id: 'Telemetry', description: 'Periodic health sample of a device' },
)
export type Telemetry = Static<typeof Telemetry>
