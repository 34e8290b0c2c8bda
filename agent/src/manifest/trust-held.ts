/**
 * What this device holds of the operator root, for its birth and `vigil-agent status`. Kept apart from
 * `trust-chain.ts` so that the daemon can answer it without loading signature checks at start.
 */
import type { ApplyTrustResult, TrustHeld, VendorTrust } from '@vigil/protocol'
import type { ManifestState } from '../schemas/manifest-state.js'

export function held(
  state: ManifestState,
  provisioned: readonly VendorTrust[] = [],
): ApplyTrustResult & TrustHeld {
  const delegations = Object.fromEntries(
    Object.entries(state.delegations ?? {}).map(([v, d]) => [v, d.version]),
  )
  const delegated = new Set(Object.keys(delegations))
  const prov = Object.fromEntries(
    provisioned
      .filter((t) => !delegated.has(t.vendor))
      .map((t) => [t.vendor, t.keys.filter((k) => !k.revoked).map((k) => k.keyid)]),
  )
  return {
    ...(state.root ? { root: { version: state.root.version, fingerprint: state.root.fingerprint } } : {}),
    delegations,
    provisioned: prov,
    refused: [],
  }
}
