import { Sha256Hex, type Static, Timestamp, Type } from '../schema.js'

export { KEY_ROTATION_PAYLOAD_TYPE } from '../constants.js'

const PublicKeyPem = Type.String({
  minLength: 1,
  maxLength: 16_384,
  pattern: '^-----BEGIN PUBLIC KEY-----',
  description: 'PEM SubjectPublicKeyInfo',
})

/** A vendor key as exchanged between hub, agents and vendors. */
export const VendorKey = Type.Object(
  {
    keyid: Sha256Hex,
    publicKeyPem: PublicKeyPem,
    revoked: Type.Optional(Type.Boolean()),
  },
  { $id: 'VendorKey', description: 'vendor public key; keyid = hex SHA-256 of its DER SPKI' },
)
export type VendorKey = Static<typeof VendorKey>

/**
 * What a vendor signs (with the threshold of its CURRENT keys) to replace its key set: agents accept a
 * new key only through this, never on the hub's word alone.
 */
export const KeyRotationPayload = Type.Object(
  {
    vendor: Type.String({ minLength: 1, maxLength: 128 }),
    keys: Type.Array(
      Type.Object({ keyid: Sha256Hex, publicKeyPem: PublicKeyPem }, { additionalProperties: false }),
      { minItems: 1, maxItems: 32 },
    ),
    threshold: Type.Integer({ minimum: 1, maximum: 32 }),
    issuedAt: Timestamp,
    sequence: Type.Integer({ minimum: 1, description: 'strictly increasing per vendor' }),
  },
  {
    $id: 'KeyRotationPayload',
    description: 'Signed replacement of a vendor key set (inside a DSSE envelope)',
  },
)
export type KeyRotationPayload = Static<typeof KeyRotationPayload>

/** The keys an agent (or the hub) trusts for one vendor, and the rotation sequence they came from. */
export const VendorTrust = Type.Object(
  {
    vendor: Type.String({ minLength: 1, maxLength: 128 }),
    keys: Type.Array(VendorKey, { maxItems: 64 }),
    threshold: Type.Integer({ minimum: 1, maximum: 32 }),
    sequence: Type.Integer({ minimum: 0, description: '0 = as provisioned, before any rotation' }),
  },
  { $id: 'VendorTrust', description: 'trusted keys and threshold for one vendor' },
)
export type VendorTrust = Static<typeof VendorTrust>
