/**
 * root → delegation → vendor keys → manifest: what every agent runs on a delivered manifest, and what
 * the hub runs to tell which devices will accept one. A vendor with a delegation is judged ONLY by the
 * delegation's keys (revocations apply); a vendor without one by the keys provisioned in configuration
 * (backwards compatible); any other vendor is UNKNOWN_KEY with the fix in the reason.
 */
import type { VendorTrust } from '../messages/key-rotation.js'
import { decodeBase64Strict } from './base64.js'
import type { HeldDelegation } from './delegation.js'
import { decodeEnvelope, type EnvelopeInput } from './envelope.js'
import { fail } from './errors.js'
import type { VerifyManifestResult } from './manifest.js'
import { checkRootCurrent, type HeldRoot } from './root.js'
import { parseStrictJson } from './strict-json.js'
import { type VerifyWithTrustOptions, verifyManifestWithTrust } from './trust.js'

/** The trust chain a party holds: the root in force and one delegation per vendor name. */
export interface TrustChain {
  root?: HeldRoot
  delegations: Readonly<Record<string, HeldDelegation>>
}

export interface VerifyWithChainOptions extends VerifyWithTrustOptions {
  /** Vendor trust provisioned in configuration or at enrollment (used for vendors with no delegation). */
  provisioned?: readonly VendorTrust[]
}

/** keyids the (unverified) envelope's signatures name — only to name a refusal, never to accept. */
function hintedKeyids(input: EnvelopeInput): string[] {
  const d = decodeEnvelope(input)
  return d.ok ? d.envelope.signatures.flatMap((s) => (s.keyid ? [s.keyid] : [])) : []
}

function claimedVendor(input: EnvelopeInput): string | undefined {
  const d = decodeEnvelope(input)
  const bytes = d.ok ? decodeBase64Strict(d.envelope.payload) : undefined
  const parsed = bytes ? parseStrictJson(bytes) : undefined
  const v = parsed?.ok ? parsed.value : undefined
  return typeof v === 'object' && v !== null && 'vendor' in v && typeof v.vendor === 'string'
    ? v.vendor
    : undefined
}

export function verifyManifestWithChain(
  input: EnvelopeInput,
  chain: TrustChain,
  options: VerifyWithChainOptions = {},
): VerifyManifestResult {
  const { provisioned = [], ...rest } = options
  const vendor = claimedVendor(input)
  const delegation = vendor === undefined ? undefined : chain.delegations[vendor]
  if (delegation === undefined) {
    const r = verifyManifestWithTrust(input, provisioned, rest)
    if (!r.ok && r.code === 'UNKNOWN_KEY' && !provisioned.some((t) => t.vendor === vendor))
      return fail(
        'UNKNOWN_KEY',
        `no key is trusted for vendor "${vendor}": this device holds no delegation for it — the operator signs one (vigil-hub trust delegate --vendor "${vendor}" --key root-1.pem --key root-2.pem), or the device is re-provisioned`,
      )
    return r
  }
  const now = (options.now ?? Date.now)()
  if (!chain.root) return fail('ROOT_MISSING', 'a delegation is held but no root: re-provision this device')
  const expired = checkRootCurrent(chain.root, now)
  if (expired) return expired
  if (Date.parse(delegation.payload.expires) <= now)
    return fail(
      'DELEGATION_EXPIRED',
      `delegation of "${vendor}" v${delegation.payload.version} expired at ${delegation.payload.expires}: the operator signs a new one (vigil-hub trust delegate --vendor "${vendor}")`,
    )
  const r = verifyManifestWithTrust(input, [delegation.trust], rest)
  if (r.ok || (r.code !== 'UNKNOWN_KEY' && r.code !== 'THRESHOLD_NOT_MET')) return r
  const revoked = new Set(delegation.payload.revoked)
  const named = hintedKeyids(input).filter((k) => revoked.has(k))
  if (named.length > 0)
    return fail(
      'REVOKED_KEY',
      `signed by key ${named[0]?.slice(0, 16)}…, revoked by the operator's delegation of "${vendor}" v${delegation.payload.version}`,
      r.problems,
    )
  return r
}
