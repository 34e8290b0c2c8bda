/**
 * Manifests over HTTP as the hub answers them (`GET /api/v1/manifests`, `GET /api/v1/manifests/:id`, the
 * rollout actions): the signed payload's facts, coverage, and the rollout plan with per-device states.
 */
import { DsseEnvelope, ManifestArtifact } from '../messages/manifest.js'
import { Severity, type Static, Type } from '../schema.js'
import { FindingState, PatchRef } from './findings.js'

export const RolloutWave = Type.Object({
  kind: Type.Union([Type.Literal('canary'), Type.Literal('percent'), Type.Literal('all')]),
  percent: Type.Optional(Type.Number()),
  devices: Type.Array(Type.String()),
  startedAt: Type.Optional(Type.String()),
})
export type RolloutWave = Static<typeof RolloutWave>

export const ManifestSummary = Type.Object(
  {
    id: Type.String(),
    digest: Type.String(),
    vendorId: Type.String(),
    vendor: Type.String(),
    product: Type.String(),
    version: Type.String(),
    releasedAt: Type.String(),
    expiresAt: Type.String(),
    appliesTo: Type.Object({ models: Type.Array(Type.String()), versions: Type.String() }),
    fixes: Type.Array(Type.String()),
    artifacts: Type.Array(ManifestArtifact),
    description: Type.Optional(Type.String()),
    keyids: Type.Array(Type.String()),
    acceptedAt: Type.String(),
    acceptedBy: Type.String(),
    artifactCheck: Type.Optional(
      Type.Union([Type.Literal('verified'), Type.Literal('unverified')], {
        description:
          'verified: the hub fetched every artifact at push time and it matched; unverified: some were unreachable, too large, at an internal address the operator did not allow, or not fetchable (file:// outside the configured root)',
      }),
    ),
    coverage: Type.Object({ devices: Type.Integer(), findings: Type.Integer() }),
    rollout: Type.Union([
      Type.Object({
        status: Type.Union(
          [
            Type.Literal('active'),
            Type.Literal('paused'),
            Type.Literal('completed'),
            Type.Literal('cancelled'),
          ],
          { description: 'cancelled: the hub delivers to no further device; devices that had it carry on' },
        ),
        approvedBy: Type.String(),
        approvedAt: Type.String(),
        wave: Type.Integer({ description: 'index of the last wave started' }),
        autoAdvance: Type.Boolean(),
        waves: Type.Array(RolloutWave),
        counts: Type.Record(Type.String(), Type.Integer(), { description: 'devices per target state' }),
      }),
      Type.Null(),
    ]),
  },
  { $id: 'ManifestSummary' },
)
export type ManifestSummary = Static<typeof ManifestSummary>

export const ManifestList = Type.Object(
  { manifests: Type.Array(ManifestSummary), total: Type.Integer() },
  { $id: 'ManifestList' },
)
export type ManifestList = Static<typeof ManifestList>

export const ManifestDetail = Type.Object(
  {
    ...ManifestSummary.properties,
    envelope: DsseEnvelope,
    findings: Type.Array(
      Type.Object({
        id: Type.String(),
        deviceId: Type.String(),
        cve: Type.Union([Type.String(), Type.Null()]),
        advisory: Type.String(),
        state: FindingState,
        severity: Type.Union([Severity, Type.Null()]),
      }),
      { description: 'the findings this manifest fixes on the devices it applies to' },
    ),
    devices: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        online: Type.Boolean(),
        firmwareVersion: Type.Union([Type.String(), Type.Null()]),
        state: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    targets: Type.Array(
      Type.Object({
        deviceId: Type.String(),
        wave: Type.Integer(),
        state: Type.String({ description: "'pending' or a RolloutState" }),
        reason: Type.Optional(Type.String()),
        code: Type.Optional(Type.String()),
        updatedAt: Type.String(),
        deliveries: Type.Integer({ description: 'times the hub sent the manifest' }),
      }),
    ),
    recordVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'rises with every stored change of the manifest and its rollout (`version` is the firmware version); send it back in If-Match so that a rollout change made meanwhile is refused with 409',
      }),
    ),
  },
  { $id: 'ManifestDetail' },
)
export type ManifestDetail = Static<typeof ManifestDetail>

/**
 * `GET /api/v1/devices/:id/manifests`: the manifests that apply to one device now, or that were rolled
 * out to it (an installed one usually no longer applies: the firmware moved), with its state on each.
 */
export const DeviceManifest = Type.Object({
  manifestId: Type.String(),
  vendor: Type.String(),
  product: Type.String(),
  version: Type.String(),
  fixes: Type.Array(Type.String()),
  expiresAt: Type.String(),
  expired: Type.Boolean(),
  applies: Type.Boolean({ description: "the device's current firmware, vendor and model match now" }),
  rollout: Type.Union(
    [
      Type.Literal('active'),
      Type.Literal('paused'),
      Type.Literal('completed'),
      Type.Literal('cancelled'),
      Type.Null(),
    ],
    {
      description: "the manifest's rollout; null when nobody approved one",
    },
  ),
  target: Type.Union(
    [
      Type.Object({
        state: Type.String({ description: "'pending' (wave not started or not yet sent) or a RolloutState" }),
        wave: Type.Integer(),
        code: Type.Optional(Type.String()),
        reason: Type.Optional(Type.String()),
        updatedAt: Type.String(),
        deliveries: Type.Integer(),
      }),
      Type.Null(),
    ],
    { description: 'this device in the rollout; null when the rollout does not include it' },
  ),
})
export type DeviceManifest = Static<typeof DeviceManifest>

export const DeviceManifestList = Type.Object(
  { deviceId: Type.String(), manifests: Type.Array(DeviceManifest) },
  { $id: 'DeviceManifestList' },
)
export type DeviceManifestList = Static<typeof DeviceManifestList>

/**
 * `POST /api/v1/manifests/:id/rollout`: approve a rollout. `canary` device ids first (each must be an
 * applicable device), then waves of `steps` percent (default one wave of all), advanced by hand or
 * automatically.
 */
export const RolloutPlanInput = Type.Object(
  {
    canary: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10_000 })),
    steps: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), { minItems: 1, maxItems: 20 }),
    ),
    autoAdvance: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, $id: 'RolloutPlanInput' },
)
export type RolloutPlanInput = Static<typeof RolloutPlanInput>

/** `POST /api/v1/manifests/:id/rollout/cancel`: optional body, the reason for the audit log. */
export const RolloutCancel = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false, $id: 'RolloutCancel' },
)
export type RolloutCancel = Static<typeof RolloutCancel>

/** `GET /api/v1/manifests/patch-available`: per finding id, the accepted unexpired manifests fixing it. */
export const PatchAvailability = Type.Object(
  { findings: Type.Record(Type.String(), Type.Array(PatchRef)) },
  { $id: 'PatchAvailability' },
)
export type PatchAvailability = Static<typeof PatchAvailability>

/**
 * `POST /api/v1/manifests` body: a DSSE envelope, sent as the bytes the vendor signed. The hub hands
 * the bytes untouched to its signing code, which checks their size, strict JSON, then this schema
 * (a refusal is `MALFORMED_ENVELOPE` or `OVERSIZE`, audited).
 */
export const ManifestUpload = DsseEnvelope
