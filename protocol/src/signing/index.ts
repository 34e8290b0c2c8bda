/**
 * @vigil/protocol/signing — Node-only (node:crypto): DSSE envelopes signed with Ed25519, threshold
 * verification, patch manifests and vendor key rotation.
 */

export {
  type ArtifactCheck,
  type ArtifactVerifier,
  artifactPath,
  checkArtifactFile,
  createArtifactVerifier,
} from './artifact.js'
export { decodeBase64Strict, encodeBase64 } from './base64.js'
export { type TrustChain, type VerifyWithChainOptions, verifyManifestWithChain } from './chain.js'
export {
  type DelegationOptions,
  type DelegationResult,
  type HeldDelegation,
  readDelegation,
  signDelegation,
  trustFromDelegation,
  verifyDelegation,
} from './delegation.js'
export {
  decodeEnvelope,
  type EnvelopeInput,
  MAX_ENVELOPE_BYTES,
  type PrivateKeyInput,
  signEnvelope,
  type TrustedKey,
  type VerifyEnvelopeOptions,
  type VerifyEnvelopeResult,
  verifyEnvelope,
  verifySignature,
} from './envelope.js'
export {
  fail,
  SIGNING_ERROR_CODES,
  SIGNING_ERROR_STATUS,
  SigningError,
  type SigningErrorCode,
  type SigningFailure,
} from './errors.js'
export {
  generateKeyPair,
  type KeyPair,
  keyIdFromKey,
  keyIdFromPem,
  parseEd25519PublicKeyPem,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  publicKeyPem,
  readVendorKey,
  type SignatureScheme,
} from './keys.js'
export {
  DEFAULT_SKEW_MS,
  manifestDigest,
  manifestErrors,
  manifestId,
  manifestValidator,
  parseManifestPayload,
  signManifest,
  type VerifyManifestOptions,
  type VerifyManifestResult,
  verifyManifest,
} from './manifest.js'
export { pae } from './pae.js'
export {
  checkKeySet,
  checkRootCurrent,
  type FollowRootResult,
  followRootChain,
  type HeldRoot,
  nextRoot,
  type RootOptions,
  type RootResult,
  readRoot,
  rootFingerprint,
  signRoot,
  trustKeyOf,
  verifyInitialRoot,
} from './root.js'
export {
  type ApplyRotationOptions,
  type ApplyRotationResult,
  applyRotation,
  signKeyRotation,
} from './rotation.js'
export { claimedVendor, type VerifyWithTrustOptions, verifyManifestWithTrust } from './trust.js'
