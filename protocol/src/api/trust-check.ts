/**
 * Before a rollout is approved: which targeted devices trust the vendor's current keys, and what to do
 * for the others. Also the fix for each refusal code a device may report. Pure (browser safe).
 */
import { type Static, Type } from '../schema.js'

export const TrustCheckDevice = Type.Object({
  deviceId: Type.String(),
  name: Type.String(),
  trusts: Type.Boolean(),
  /** Why not (a stable code), when it does not. */
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  fix: Type.Optional(Type.String()),
})
export type TrustCheckDevice = Static<typeof TrustCheckDevice>

/** `GET /api/v1/manifests/{id}/trust-check`. */
export const ManifestTrustCheck = Type.Object(
  {
    vendor: Type.String(),
    /** The hub's delegation names exactly the vendor's current registered keys. */
    delegated: Type.Boolean(),
    /** When not: the command that signs and publishes the pending delegation. */
    command: Type.Optional(Type.String()),
    devices: Type.Integer({ description: 'targeted devices' }),
    trusting: Type.Integer({ description: 'of them, devices that trust the vendor’s current keys' }),
    targets: Type.Array(TrustCheckDevice),
  },
  { $id: 'ManifestTrustCheck' },
)
export type ManifestTrustCheck = Static<typeof ManifestTrustCheck>

/** What the operator does about each refusal code a device reports (empty when none is known). */
export function trustFix(code: string, vendor = '<vendor>'): string {
  const delegate = `sign the pending delegation: vigil-hub trust delegate --vendor '${vendor}' --key root-1.pem --key root-2.pem`
  switch (code) {
    case 'UNKNOWN_KEY':
    case 'DELEGATION_PENDING':
    case 'DELEGATION_EXPIRED':
      return delegate
    case 'REVOKED_KEY':
      return 'the vendor signed with a revoked key: ask the vendor to sign again with a current key'
    case 'THRESHOLD_NOT_MET':
      return 'the vendor must sign with more of its keys (its threshold)'
    case 'ROOT_MISSING':
      return 're-provision the device (enroll again) or pin manifests.rootFingerprint in its agent.json'
    case 'ROOT_EXPIRED':
      return 'the root key holders sign a new root (version + 1) and install it: POST /api/v1/trust/root'
    case 'DELEGATION_NOT_DELIVERED':
      return 'the device gets the delegation at its next birth: bring it online'
    case 'TRUST_UNKNOWN':
      return 'this agent does not report its trust: upgrade it, or provision the vendor keys in its configuration'
    case 'DELEGATION_ALTERED':
    case 'DELEGATION_UNSIGNED':
    case 'DELEGATION_THRESHOLD':
    case 'DELEGATION_REPLAY':
      return `a delegation the root did not sign as sent was refused (the hub may be compromised): ${delegate}`
    case 'BAD_SIGNATURE':
      return 'the manifest was altered after the vendor signed it: push the vendor’s original envelope again'
    case 'ROLLBACK':
    case 'MIX_AND_MATCH':
      return 'the device already holds this or a newer version: nothing to do'
    default:
      return ''
  }
}
