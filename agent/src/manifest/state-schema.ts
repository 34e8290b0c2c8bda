/** Schemas of `<stateDir>/manifests/state.json` and of a trust file (validated through src/validators.ts). */
import { RolloutState, type Static, Type, VendorTrust } from '@vigil/protocol'

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

export const ManifestState = Type.Object({
  trust: Type.Array(VendorTrust),
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
