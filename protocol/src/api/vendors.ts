import { VendorTrust } from '../messages/key-rotation.js'
import { DsseEnvelope } from '../messages/manifest.js'
import { type Static, Type } from '../schema.js'
import { SafeName } from './names.js'

/** A vendor as `GET /api/v1/vendors` shows it: trusted keys (never private), threshold, rotations. */
export const VendorInfo = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    threshold: Type.Integer(),
    sequence: Type.Integer(),
    createdAt: Type.String(),
    keys: Type.Array(
      Type.Object({
        keyid: Type.String(),
        addedAt: Type.String(),
        revoked: Type.Boolean(),
        revokedAt: Type.Optional(Type.String()),
        source: Type.String(),
      }),
    ),
    rotations: Type.Array(
      Type.Object({
        sequence: Type.Integer(),
        acceptedAt: Type.String(),
        signedBy: Type.Array(Type.String()),
      }),
    ),
  },
  { $id: 'VendorInfo' },
)
export type VendorInfo = Static<typeof VendorInfo>

export const VendorList = Type.Object({ vendors: Type.Array(VendorInfo) }, { $id: 'VendorList' })
export type VendorList = Static<typeof VendorList>

/** `POST /api/v1/vendors` → 201: the vendor's API token is shown this once. */
export const VendorCreated = Type.Object(
  { id: Type.String(), name: Type.String(), threshold: Type.Integer(), token: Type.String() },
  { $id: 'VendorCreated' },
)
export type VendorCreated = Static<typeof VendorCreated>

/** `POST /api/v1/vendors/:id/keys` → 201. */
export const VendorKeyAdded = Type.Object({ keyid: Type.String() }, { $id: 'VendorKeyAdded' })
export type VendorKeyAdded = Static<typeof VendorKeyAdded>

const Threshold = Type.Integer({ minimum: 1, maximum: 32 })

/** `POST /api/v1/vendors`. */
export const VendorCreate = Type.Object(
  { name: SafeName(128), threshold: Type.Optional(Threshold) },
  { additionalProperties: false, $id: 'VendorCreate' },
)
export type VendorCreate = Static<typeof VendorCreate>

/** `PATCH /api/v1/vendors/:id`. */
export const VendorPatch = Type.Object(
  { threshold: Threshold },
  { additionalProperties: false, $id: 'VendorPatch' },
)
export type VendorPatch = Static<typeof VendorPatch>

/** `POST /api/v1/vendors/:id/keys`. */
export const VendorKeyInput = Type.Object(
  { publicKeyPem: Type.String({ minLength: 1, maxLength: 16_384 }) },
  { additionalProperties: false, $id: 'VendorKeyInput' },
)
export type VendorKeyInput = Static<typeof VendorKeyInput>

/** `POST /api/v1/vendors/:id/token` → a new API token for the vendor, shown this once. */
export const VendorToken = Type.Object({ id: Type.String(), token: Type.String() }, { $id: 'VendorToken' })
export type VendorToken = Static<typeof VendorToken>

/**
 * `GET /api/v1/vendors/:id/trust`: what an agent is provisioned with — the vendor's trusted keys and
 * threshold, and the signed rotation statements (DSSE envelopes) that led there.
 */
export const VendorTrustBundle = Type.Object(
  { trust: VendorTrust, rotations: Type.Array(DsseEnvelope) },
  { $id: 'VendorTrustBundle' },
)
export type VendorTrustBundle = Static<typeof VendorTrustBundle>

/**
 * `POST /api/v1/vendors/:id/rotations` body: a DSSE envelope of a key rotation (its payload a
 * `KeyRotationPayload`, checked by the hub's signing code); a body that is no envelope is refused
 * `MALFORMED_ENVELOPE` and audited.
 */
export const VendorRotationUpload = DsseEnvelope
