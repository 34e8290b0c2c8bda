/**
 * Posture, fleet KPIs and governance over HTTP (`/api/v1/posture…`, `/api/v1/kpis…`,
 * `/api/v1/governance…`, `/api/v1/maturity`). The score is documented in the hub's posture README.
 */
import { type Static, Type } from '../schema.js'
import { SafeName } from './names.js'

export const PostureGrade = Type.Union([
  Type.Literal('A'),
  Type.Literal('B'),
  Type.Literal('C'),
  Type.Literal('D'),
  Type.Literal('F'),
  Type.Literal('unknown', {
    description: 'the device has not reported its inventory and its hardening results yet: nothing to grade',
  }),
])
export type PostureGrade = Static<typeof PostureGrade>

/** One device's posture: 100 minus the listed deductions, floored at 0. */
export const DevicePosture = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  score: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'with grade unknown, only what is known (left out of fleet averages)',
  }),
  grade: PostureGrade,
  reasons: Type.Array(Type.Object({ points: Type.Number(), reason: Type.String() })),
})
export type DevicePosture = Static<typeof DevicePosture>

/** `GET /api/v1/posture/devices`: every device's posture, worst first. */
export const PostureList = Type.Object({ devices: Type.Array(DevicePosture) })
export type PostureList = Static<typeof PostureList>

export const FleetKpis = Type.Object({
  ts: Type.String({ format: 'date-time' }),
  devices: Type.Integer(),
  devicesOnline: Type.Integer(),
  baselineCompliancePct: Type.Union([Type.Number(), Type.Null()], {
    description: 'devices with a hardening report and no failing check, among devices with a report',
  }),
  openBySeverity: Type.Record(Type.String(), Type.Integer()),
  openByDecision: Type.Optional(
    Type.Record(Type.String(), Type.Integer(), {
      description:
        'open or in-progress findings by SSVC outcome (immediate, out-of-cycle, scheduled, defer, undecided)',
    }),
  ),
  openByClinicalFunction: Type.Optional(
    Type.Record(Type.String(), Type.Integer(), {
      description: "open or in-progress findings by their device's clinical function (unknown when not set)",
    }),
  ),
  open: Type.Integer(),
  kevOpen: Type.Integer(),
  overdue: Type.Integer(),
  meanTimeToRemediateDays: Type.Union([Type.Number(), Type.Null()]),
  patchLatencyDays: Type.Object({
    p50: Type.Union([Type.Number(), Type.Null()]),
    p90: Type.Union([Type.Number(), Type.Null()]),
  }),
  remediatedWithinSlaPct: Type.Union([Type.Number(), Type.Null()]),
  ownedPct: Type.Union([Type.Number(), Type.Null()], { description: 'unresolved findings with an owner' }),
  meanPostureScore: Type.Union([Type.Number(), Type.Null()]),
})
export type FleetKpis = Static<typeof FleetKpis>

/** `POST /api/v1/governance/groups`: a named device group and who owns it. */
export const DeviceGroupInput = Type.Object(
  {
    name: SafeName(128),
    owner: SafeName(128),
    deviceIds: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100_000 }),
  },
  { additionalProperties: false },
)
export type DeviceGroupInput = Static<typeof DeviceGroupInput>

/** `POST /api/v1/governance/training`: one course a user completed (dates YYYY-MM-DD). */
export const TrainingInput = Type.Object(
  {
    username: SafeName(128),
    course: SafeName(256),
    completedAt: Type.String({ format: 'date' }),
    expiresAt: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
)
export type TrainingInput = Static<typeof TrainingInput>
