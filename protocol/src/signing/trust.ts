/**
 * An agent trusts several vendors, each with its own keys and threshold (VendorTrust). The vendor a
 * manifest claims selects whose keys must have signed it; the claim itself is then checked again
 * (VENDOR_MISMATCH cannot happen by construction: a manifest naming vendor B is judged by B's keys).
 */

import { MANIFEST_PAYLOAD_TYPE } from '../constants.js'
import type { VendorTrust } from '../messages/key-rotation.js'
import { decodeBase64Strict } from './base64.js'
import { decodeEnvelope, type EnvelopeInput } from './envelope.js'
import { fail } from './errors.js'
import { type VerifyManifestOptions, type VerifyManifestResult, verifyManifest } from './manifest.js'
import { parseStrictJson } from './strict-json.js'

export type VerifyWithTrustOptions = Omit<VerifyManifestOptions, 'trustedKeys' | 'threshold' | 'vendor'>

/**
 * The vendor an (unverified) signed envelope claims in its payload's `vendor`, read as verification
 * reads it (strict JSON), or undefined when it names none. Selects whose keys judge a manifest or a key
 * rotation; the hub also uses it to name a push with another vendor's token before anything else.
 */
export function claimedVendor(input: EnvelopeInput, maxBytes?: number): string | undefined {
  const decoded = decodeEnvelope(input, maxBytes)
  if (!decoded.ok) return undefined
  const bytes = decodeBase64Strict(decoded.envelope.payload)
  if (bytes === undefined) return undefined
  const parsed = parseStrictJson(bytes)
  if (!parsed.ok) return undefined
  const value = parsed.value
  if (typeof value !== 'object' || value === null || !('vendor' in value)) return undefined
  return typeof value.vendor === 'string' ? value.vendor : undefined
}

/** Verifies a manifest against the trust of the vendor it names (what every agent runs on delivery). */
export function verifyManifestWithTrust(
  input: EnvelopeInput,
  trusts: readonly VendorTrust[],
  options: VerifyWithTrustOptions = {},
): VerifyManifestResult {
  const vendor = claimedVendor(input, options.maxBytes)
  const trust = vendor === undefined ? undefined : trusts.find((t) => t.vendor === vendor)
  if (trust === undefined) {
    // Still report what is wrong with the envelope itself first, so a broken one is named as such.
    const decoded = decodeEnvelope(input, options.maxBytes)
    if (!decoded.ok) return decoded
    if (decoded.envelope.payloadType !== MANIFEST_PAYLOAD_TYPE) {
      return fail(
        'WRONG_PAYLOAD_TYPE',
        `payloadType ${decoded.envelope.payloadType} is not ${MANIFEST_PAYLOAD_TYPE}`,
      )
    }
    if (vendor === undefined) return fail('MALFORMED_PAYLOAD', 'manifest payload names no vendor')
    return fail('UNKNOWN_KEY', `no key is trusted for vendor "${vendor}"`)
  }
  return verifyManifest(input, { ...options, trustedKeys: trust.keys, threshold: trust.threshold, vendor })
}
