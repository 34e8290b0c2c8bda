/**
 * The operator root of trust and its delegations as the hub's API shows and takes them, and the bundle
 * devices receive (enrollment answer, `apply-trust` command). Everything signed travels as the DSSE
 * envelope the operator signed, unchanged: agents verify it themselves.
 */
import { DsseEnvelope } from '../messages/manifest.js'
import { DelegationPayload } from '../messages/trust-root.js'
import { Sha256Hex, type Static, Type } from '../schema.js'

/** Root chain (oldest first) and current delegations, as handed to a device. */
export const TrustBundle = Type.Object(
  {
    roots: Type.Array(DsseEnvelope, {
      maxItems: 64,
      description: 'every root, oldest first (a device follows the chain)',
    }),
    fingerprint: Type.Optional(Sha256Hex),
    delegations: Type.Array(DsseEnvelope, { maxItems: 64 }),
  },
  { $id: 'TrustBundle', description: 'operator root chain and vendor delegations for a device' },
)
export type TrustBundle = Static<typeof TrustBundle>

export const TrustDelegationInfo = Type.Object(
  {
    vendor: Type.String(),
    vendorId: Type.Optional(Type.String()),
    version: Type.Integer(),
    threshold: Type.Integer(),
    keyids: Type.Array(Type.String()),
    revoked: Type.Array(Type.String()),
    expires: Type.String(),
    acceptedAt: Type.String(),
    /** Whether it delegates exactly the vendor's current registered keys (else a new one is pending). */
    current: Type.Boolean(),
  },
  { $id: 'TrustDelegationInfo' },
)
export type TrustDelegationInfo = Static<typeof TrustDelegationInfo>

/** `GET /api/v1/trust`. */
export const TrustView = Type.Object(
  {
    root: Type.Optional(
      Type.Object({
        version: Type.Integer(),
        fingerprint: Type.String(),
        threshold: Type.Integer(),
        keyids: Type.Array(Type.String()),
        expires: Type.String(),
      }),
    ),
    delegations: Type.Array(TrustDelegationInfo),
  },
  { $id: 'TrustView' },
)
export type TrustView = Static<typeof TrustView>

/** `POST /api/v1/trust/root` and `POST /api/v1/trust/delegations` take the signed envelope as is. */
export const TrustStatementRequest = DsseEnvelope

/** `POST /api/v1/trust/root` → 200/201. */
export const TrustRootAccepted = Type.Object(
  { version: Type.Integer(), fingerprint: Type.String(), devices: Type.Integer() },
  { $id: 'TrustRootAccepted' },
)
export type TrustRootAccepted = Static<typeof TrustRootAccepted>

/** `POST /api/v1/trust/delegations` → 201 (or 200 when the same delegation was already held). */
export const TrustDelegationAccepted = Type.Object(
  {
    vendor: Type.String(),
    version: Type.Integer(),
    unchanged: Type.Boolean(),
    devices: Type.Integer({ description: 'online devices it was sent to at once' }),
  },
  { $id: 'TrustDelegationAccepted' },
)
export type TrustDelegationAccepted = Static<typeof TrustDelegationAccepted>

/**
 * `GET /api/v1/trust/delegations/pending?vendor=NAME`: the unsigned delegation of the vendor's current
 * registered keys (next version, revoked keys listed) that the root key holders sign.
 */
export const TrustPendingDelegation = Type.Object(
  {
    vendor: Type.String(),
    upToDate: Type.Boolean({ description: 'the held delegation already names exactly these keys' }),
    held: Type.Optional(Type.Integer()),
    payload: DelegationPayload,
    /** The payload as the exact bytes to sign (canonical JSON). */
    payloadText: Type.String(),
    command: Type.String({ description: 'the vigil-hub command that signs and publishes it' }),
  },
  { $id: 'TrustPendingDelegation' },
)
export type TrustPendingDelegation = Static<typeof TrustPendingDelegation>

/** One statement a device refused, with the stable code and reason. */
export const TrustRefusal = Type.Object(
  {
    kind: Type.Union([Type.Literal('root'), Type.Literal('delegation'), Type.Literal('manifest')]),
    vendor: Type.Optional(Type.String({ maxLength: 128 })),
    version: Type.Optional(Type.Integer()),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,63}$' }),
    reason: Type.String({ maxLength: 2048 }),
  },
  { $id: 'TrustRefusal' },
)
export type TrustRefusal = Static<typeof TrustRefusal>

/** The device's answer to `apply-trust` (command data): what it holds now, and what it refused. */
export const ApplyTrustResult = Type.Object(
  {
    root: Type.Optional(Type.Object({ version: Type.Integer({ minimum: 1 }), fingerprint: Sha256Hex })),
    delegations: Type.Record(Type.String({ maxLength: 128 }), Type.Integer({ minimum: 1 })),
    refused: Type.Array(TrustRefusal, { maxItems: 128 }),
  },
  { $id: 'ApplyTrustResult' },
)
export type ApplyTrustResult = Static<typeof ApplyTrustResult>

/** `GET /api/v1/trust/devices`: what each device holds and the last refusals it reported. */
export const TrustDeviceList = Type.Object(
  {
    devices: Type.Array(
      Type.Object({
        deviceId: Type.String(),
        name: Type.String(),
        root: Type.Optional(Type.Integer()),
        delegations: Type.Record(Type.String(), Type.Integer()),
        refused: Type.Array(TrustRefusal),
        reportedAt: Type.Optional(Type.String()),
      }),
    ),
  },
  { $id: 'TrustDeviceList' },
)
export type TrustDeviceList = Static<typeof TrustDeviceList>
