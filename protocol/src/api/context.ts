/**
 * Clinical asset context (issue 17 point 1): what a device does, whom its compromise could harm and how
 * exposed it is. Held per device and, as a default, per vendor + model; a field a device leaves unset
 * falls back to its model's default, then to "unknown". Unknown is never read as low: the hub's SSVC
 * mapping treats it cautiously (`hub/src/risk/README.md`). Staff only — vendors never see it.
 */
import { type Static, Type } from '../schema.js'
import { SafeName } from './names.js'

export const ClinicalFunction = Type.Union([
  Type.Literal('life-sustaining'),
  Type.Literal('therapeutic'),
  Type.Literal('diagnostic'),
  Type.Literal('monitoring'),
  Type.Literal('clinical-support'),
  Type.Literal('non-clinical'),
])
export type ClinicalFunction = Static<typeof ClinicalFunction>

/** SSVC Safety Impact 2.0.1 values (the severity words of ISO 14971 practice). */
export const SafetyImpact = Type.Union([
  Type.Literal('negligible'),
  Type.Literal('marginal'),
  Type.Literal('critical'),
  Type.Literal('catastrophic'),
])
export type SafetyImpact = Static<typeof SafetyImpact>

/** SSVC Mission Impact 2.0.0 values (MEF = mission essential function). */
export const MissionImpact = Type.Union([
  Type.Literal('degraded'),
  Type.Literal('mef-support-crippled'),
  Type.Literal('mef-failure'),
  Type.Literal('mission-failure'),
])
export type MissionImpact = Static<typeof MissionImpact>

/** SSVC System Exposure 1.0.1 values. */
export const NetworkExposure = Type.Union([
  Type.Literal('small'),
  Type.Literal('controlled'),
  Type.Literal('open'),
])
export type NetworkExposure = Static<typeof NetworkExposure>

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Optional(Type.Union([t, Type.Null()]))

/**
 * Asset context as written (PATCH, model default, bulk, import). A field absent leaves it as it is;
 * `null` clears it (back to the model default, or unknown).
 */
export const DeviceContext = Type.Object(
  {
    clinicalFunction: nullable(ClinicalFunction),
    safetyImpact: nullable(SafetyImpact),
    missionImpact: nullable(MissionImpact),
    ephi: nullable(Type.Boolean({ description: 'stores or transmits patient data' })),
    exposure: nullable(NetworkExposure),
    location: nullable(SafeName(128)),
    owner: nullable(SafeName(128)),
  },
  { additionalProperties: false, $id: 'DeviceContext' },
)
export type DeviceContext = Static<typeof DeviceContext>

export const ContextField = Type.Union([
  Type.Literal('clinicalFunction'),
  Type.Literal('safetyImpact'),
  Type.Literal('missionImpact'),
  Type.Literal('ephi'),
  Type.Literal('exposure'),
  Type.Literal('location'),
  Type.Literal('owner'),
])
export type ContextField = Static<typeof ContextField>

/** Where an effective context value came from. */
export const ContextSource = Type.Union([
  Type.Literal('device'),
  Type.Literal('model'),
  Type.Literal('unknown'),
])
export type ContextSource = Static<typeof ContextSource>

/** A device's effective context (`GET /api/v1/devices/:id/context`, PATCH answers). */
export const DeviceContextView = Type.Object(
  {
    deviceId: Type.String(),
    vendor: Type.Union([Type.String(), Type.Null()]),
    model: Type.Union([Type.String(), Type.Null()]),
    /** Effective values: device's own, else the model default; null = unknown. */
    context: Type.Object({
      clinicalFunction: Type.Union([ClinicalFunction, Type.Null()]),
      safetyImpact: Type.Union([SafetyImpact, Type.Null()]),
      missionImpact: Type.Union([MissionImpact, Type.Null()]),
      ephi: Type.Union([Type.Boolean(), Type.Null()]),
      exposure: Type.Union([NetworkExposure, Type.Null()]),
      location: Type.Union([Type.String(), Type.Null()]),
      owner: Type.Union([Type.String(), Type.Null()]),
    }),
    sources: Type.Record(Type.String(), ContextSource),
  },
  { $id: 'DeviceContextView' },
)
export type DeviceContextView = Static<typeof DeviceContextView>

export const DeviceContextList = Type.Object(
  { contexts: Type.Array(DeviceContextView) },
  { $id: 'DeviceContextList' },
)
export type DeviceContextList = Static<typeof DeviceContextList>

/** `PATCH /api/v1/devices/:id` body: the existing rename/disable plus `context`. */
export const DevicePatch = Type.Object(
  {
    name: Type.Optional(SafeName(255)),
    disabled: Type.Optional(Type.Boolean()),
    context: Type.Optional(DeviceContext),
  },
  { additionalProperties: false, $id: 'DevicePatch' },
)
export type DevicePatch = Static<typeof DevicePatch>

/** `PUT /api/v1/device-models/context`: the default of every device of one vendor + model. */
export const ModelContext = Type.Object(
  {
    vendor: Type.String({ minLength: 1, maxLength: 128 }),
    model: Type.String({ minLength: 1, maxLength: 128 }),
    context: DeviceContext,
  },
  { additionalProperties: false, $id: 'ModelContext' },
)
export type ModelContext = Static<typeof ModelContext>

export const ModelContextList = Type.Object({ models: Type.Array(ModelContext) }, { $id: 'ModelContextList' })
export type ModelContextList = Static<typeof ModelContextList>

/** `POST /api/v1/devices/context/bulk`: one change to many devices, all or nothing. */
export const BulkContext = Type.Object(
  {
    ids: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 10_000 }),
    context: DeviceContext,
  },
  { additionalProperties: false, $id: 'BulkContext' },
)
export type BulkContext = Static<typeof BulkContext>

export const BulkContextResult = Type.Object(
  { updated: Type.Integer(), redecided: Type.Integer() },
  { $id: 'BulkContextResult' },
)
export type BulkContextResult = Static<typeof BulkContextResult>

/**
 * `POST /api/v1/devices/context/import`: a CSV export of a CMMS / asset inventory. `mapping` names the
 * CSV column for `device` (matched against device id, name, hostname or serial) and for each context
 * field. `dryRun` (default true) only previews. A single bad row refuses the whole import.
 */
export const ContextImport = Type.Object(
  {
    csv: Type.String({ minLength: 1, maxLength: 5_000_000 }),
    mapping: Type.Object(
      {
        device: Type.String({ minLength: 1, maxLength: 128 }),
        clinicalFunction: Type.Optional(Type.String({ maxLength: 128 })),
        safetyImpact: Type.Optional(Type.String({ maxLength: 128 })),
        missionImpact: Type.Optional(Type.String({ maxLength: 128 })),
        ephi: Type.Optional(Type.String({ maxLength: 128 })),
        exposure: Type.Optional(Type.String({ maxLength: 128 })),
        location: Type.Optional(Type.String({ maxLength: 128 })),
        owner: Type.Optional(Type.String({ maxLength: 128 })),
      },
      { additionalProperties: false },
    ),
    dryRun: Type.Optional(Type.Boolean({ default: true })),
    /**
     * Device id → the device's version the operator saw (e.g. at the dry run): the import is applied
     * only if every device named is still at it (all or nothing); otherwise 409 `ApiConflict`.
     */
    versions: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Integer({ minimum: 1 }), { maxProperties: 100_000 }),
    ),
  },
  { additionalProperties: false, $id: 'ContextImport' },
)
export type ContextImport = Static<typeof ContextImport>

export const ContextImportRow = Type.Object({
  line: Type.Integer({ description: '1-based line of the CSV (the header is line 1)' }),
  key: Type.String(),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  context: DeviceContext,
  error: Type.Optional(Type.String()),
})
export type ContextImportRow = Static<typeof ContextImportRow>

export const ContextImportResult = Type.Object(
  {
    applied: Type.Boolean({ description: 'false on a dry run and whenever any row has an error' }),
    rows: Type.Array(ContextImportRow),
    errors: Type.Integer(),
    redecided: Type.Integer(),
  },
  { $id: 'ContextImportResult' },
)
export type ContextImportResult = Static<typeof ContextImportResult>
