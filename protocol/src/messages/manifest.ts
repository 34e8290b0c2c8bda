import { ProtocolVersion, Sequenced, Sha256Hex, ShortText, type Static, Timestamp, Type } from '../schema.js'

export { MANIFEST_PAYLOAD_TYPE } from '../constants.js'

const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/_-]*={0,2}$', maxLength: 1_048_576 })

/** Dead Simple Signing Envelope (DSSE v1). */
export const DsseEnvelope = Type.Object(
  {
    payloadType: ShortText(256),
    payload: Base64,
    signatures: Type.Array(
      Type.Object({ keyid: Type.Optional(ShortText(256)), sig: Type.String({ maxLength: 4096 }) }),
      { minItems: 1, maxItems: 32 },
    ),
  },
  { $id: 'DsseEnvelope', description: 'DSSE envelope carrying a signed manifest payload' },
)
export type DsseEnvelope = Static<typeof DsseEnvelope>

export const ManifestArtifact = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9._+-]{1,255}$', description: 'file name only, never a path' }),
    url: Type.String({ pattern: '^(https?|file)://', maxLength: 2048 }),
    sha256: Sha256Hex,
    size: Type.Integer({ minimum: 0 }),
  },
  { $id: 'ManifestArtifact' },
)
export type ManifestArtifact = Static<typeof ManifestArtifact>

/** What a vendor signs: which product and versions a patch applies to, what it fixes, and the artifacts. */
export const ManifestPayload = Type.Object(
  {
    vendor: Type.String({ minLength: 1, maxLength: 128 }),
    product: Type.String({ minLength: 1, maxLength: 128 }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    releasedAt: Timestamp,
    expiresAt: Timestamp,
    appliesTo: Type.Object({
      models: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 256 }),
      versions: Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'vers: range of firmware versions',
      }),
    }),
    fixes: Type.Array(Type.String({ pattern: '^CVE-\\d{4}-\\d{4,}$' }), { maxItems: 1024 }),
    artifacts: Type.Array(ManifestArtifact, { minItems: 1, maxItems: 64 }),
    description: Type.Optional(ShortText(4096)),
    versionScheme: Type.Optional(ShortText(16)),
  },
  { $id: 'ManifestPayload', description: 'Signed patch manifest payload (inside a DSSE envelope)' },
)
export type ManifestPayload = Static<typeof ManifestPayload>

export const RolloutState = Type.Union([
  Type.Literal('offered'),
  Type.Literal('verified'),
  Type.Literal('rejected'),
  Type.Literal('downloading'),
  Type.Literal('installed'),
  Type.Literal('awaiting-install'),
  Type.Literal('failed'),
])
export type RolloutState = Static<typeof RolloutState>

/** A device's report of where a manifest stands on it. */
export const RolloutStatus = Type.Object(
  {
    v: ProtocolVersion,
    ts: Timestamp,
    manifestId: ShortText(128),
    state: RolloutState,
    reason: Type.Optional(ShortText(2048)),
    code: Type.Optional(ShortText(64)),
    ...Sequenced,
  },
  { $id: 'RolloutStatus', description: 'Rollout state of a manifest on one device' },
)
export type RolloutStatus = Static<typeof RolloutStatus>
