/** Schemas of `<stateDir>/manifests/state.json` and of a trust file (validated through src/schemas/validators.ts). */
import { DsseEnvelope, RolloutState, type Static, Type, VendorTrust } from '@vigil/protocol'

export const ManifestEntry = Type.Object({
  id: Type.String(),
  vendor: Type.String(),
  product: Type.String(),
  version: Type.String(),
  digest: Type.String(),
  state: RolloutState,
  /** The verification result: ok, or the refusal code. */
  verification: Type.String(),
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  keyids: Type.Array(Type.String()),
  receivedAt: Type.String(),
  updatedAt: Type.String(),
  artifacts: Type.Array(
    Type.Object({ name: Type.String(), path: Type.String(), sha256: Type.String(), size: Type.Integer() }),
  ),
})
export type ManifestEntry = Static<typeof ManifestEntry>

/** The operator root this device holds (verified when accepted), kept as signed. */
export const HeldRootState = Type.Object({
  envelope: DsseEnvelope,
  version: Type.Integer({ minimum: 1 }),
  fingerprint: Type.String(),
  acceptedAt: Type.String(),
})

/** A vendor delegation this device holds (verified against the root when accepted), kept as signed. */
export const HeldDelegationState = Type.Object({
  envelope: DsseEnvelope,
  version: Type.Integer({ minimum: 1 }),
  digest: Type.String(),
  /** The vendor trust it yields (then changed only by rotation statements signed by those keys). */
  trust: VendorTrust,
  acceptedAt: Type.String(),
})

export const ManifestState = Type.Object({
  trust: Type.Array(VendorTrust),
  root: Type.Optional(HeldRootState),
  /** vendor name → the delegation held for it. */
  delegations: Type.Optional(Type.Record(Type.String(), HeldDelegationState)),
  /** Statements of the operator root this device refused (newest last, bounded). */
  trustRefused: Type.Optional(
    Type.Array(
      Type.Object({
        kind: Type.String(),
        vendor: Type.Optional(Type.String()),
        version: Type.Optional(Type.Integer()),
        code: Type.String(),
        reason: Type.String(),
        at: Type.String(),
      }),
    ),
  ),
  /** `<vendor>\u0000<product>` → highest version verified. */
  floors: Type.Record(
    Type.String(),
    Type.Object({ version: Type.String(), digest: Type.String(), scheme: Type.String() }),
  ),
  manifests: Type.Record(Type.String(), ManifestEntry),
  /** Refusals of manifests that could not even be identified (newest last, bounded). */
  refused: Type.Array(
    Type.Object({ manifestId: Type.String(), code: Type.String(), reason: Type.String(), at: Type.String() }),
  ),
})
export type ManifestState = Static<typeof ManifestState>

/** A provisioning file: a JSON array of VendorTrust. */
export const TrustFile = Type.Array(VendorTrust, { maxItems: 64 })
