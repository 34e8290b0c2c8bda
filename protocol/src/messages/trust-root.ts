/**
 * The operator's root of trust and its delegations (TUF's root → targets delegation, simplified): the
 * root names Ed25519 keys and a threshold; a delegation, signed by the root threshold, names the keys
 * (and threshold) a vendor's manifests must be signed with. Both travel as DSSE envelopes
 * (ROOT_PAYLOAD_TYPE, DELEGATION_PAYLOAD_TYPE) signed exactly like a manifest, so openssl can sign them.
 */

import { Sha256Hex, type Static, Timestamp, Type } from '../schema.js'
import { DsseEnvelope } from './manifest.js'

export { DELEGATION_PAYLOAD_TYPE, ROOT_PAYLOAD_TYPE } from '../constants.js'

const PublicKeyPem = Type.String({
  minLength: 1,
  maxLength: 16_384,
  pattern: '^-----BEGIN PUBLIC KEY-----',
  description: 'PEM SubjectPublicKeyInfo',
})

export const TrustKey = Type.Object(
  { keyid: Sha256Hex, publicKeyPem: PublicKeyPem },
  { additionalProperties: false, description: 'Ed25519 public key; keyid = hex SHA-256 of its DER SPKI' },
)
export type TrustKey = Static<typeof TrustKey>

/** The operator root (TUF root.json): who may sign delegations, and the next root. */
export const RootPayload = Type.Object(
  {
    type: Type.Literal('vigil-root'),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'each new root is exactly +1' }),
    keys: Type.Array(TrustKey, { minItems: 1, maxItems: 32 }),
    threshold: Type.Integer({ minimum: 1, maximum: 32 }),
    issuedAt: Timestamp,
    expires: Timestamp,
  },
  {
    $id: 'RootPayload',
    additionalProperties: false,
    description:
      'Operator root of trust, signed by its own threshold (and, from version 2, by the previous root threshold)',
  },
)
export type RootPayload = Static<typeof RootPayload>

/** The operator root vouches for a vendor's keys (TUF targets delegation). */
export const DelegationPayload = Type.Object(
  {
    type: Type.Literal('vigil-delegation'),
    vendor: Type.String({ minLength: 1, maxLength: 128, description: 'the vendor name manifests carry' }),
    vendorId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'strictly increasing per vendor' }),
    keys: Type.Array(TrustKey, { minItems: 0, maxItems: 32 }),
    threshold: Type.Integer({ minimum: 1, maximum: 32 }),
    revoked: Type.Array(Sha256Hex, {
      maxItems: 64,
      description: 'keyids never trusted for this vendor again (also through a vendor rotation)',
    }),
    rotations: Type.Optional(
      Type.Array(DsseEnvelope, {
        maxItems: 16,
        description: "the vendor's own rotation statements, applied in order to `keys`",
      }),
    ),
    issuedAt: Timestamp,
    expires: Timestamp,
  },
  {
    $id: 'DelegationPayload',
    additionalProperties: false,
    description: 'Root-signed trust of a vendor key set',
  },
)
export type DelegationPayload = Static<typeof DelegationPayload>

/** What a device holds of the trust chain, reported in its birth so the hub sends what it lacks. */
export const TrustHeld = Type.Object(
  {
    root: Type.Optional(
      Type.Object({
        version: Type.Integer({ minimum: 1 }),
        fingerprint: Sha256Hex,
      }),
    ),
    delegations: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.Integer({ minimum: 1 }), {
        description: 'vendor → delegation version held',
      }),
    ),
    /** Vendors trusted from configuration only (no delegation): vendor → keyids. */
    provisioned: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.Array(Sha256Hex, { maxItems: 64 })),
    ),
  },
  { $id: 'TrustHeld', description: 'root and delegation versions a device holds' },
)
export type TrustHeld = Static<typeof TrustHeld>
