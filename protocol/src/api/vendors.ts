import { type Static, Type } from '../schema.js'

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
