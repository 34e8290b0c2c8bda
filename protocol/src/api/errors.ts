/**
 * The one catalogue of error codes the hub answers with: code → HTTP status → meaning. Every error
 * answer is `{"error":{"code","message"}}` (`ApiError`) with one of these codes; the message says what
 * exactly went wrong, the code is what clients and tests key on. The hub throws them (`HubError`) or
 * returns them (`Refusal`, from the manifest, vendor and signing code); both take the status from here.
 * The signing codes are also what an agent puts in its rollout report.
 */
import { SIGNING_ERROR_STATUS, type SigningErrorCode } from '../signing/errors.js'

export interface CatalogueEntry {
  readonly status: number
  /** What the code means; also the message when the hub has nothing more specific to say. */
  readonly message: string
}

/** Codes of the HTTP API itself (authentication, validation, storage, broker). */
const HUB_ERRORS = {
  VIGIL_BAD_REQUEST: { status: 400, message: 'the request is invalid' },
  VIGIL_UNAUTHENTICATED: { status: 401, message: 'sign in first' },
  VIGIL_BAD_CREDENTIALS: { status: 401, message: 'wrong username or password' },
  VIGIL_FORBIDDEN: { status: 403, message: 'your role may not do this' },
  VIGIL_NOT_FOUND: { status: 404, message: 'not found' },
  VIGIL_CONFLICT: { status: 409, message: 'conflicts with the current state' },
  VIGIL_TOKEN_INVALID: {
    status: 401,
    message: 'the enrollment token is unknown, used up, expired or revoked',
  },
  VIGIL_PAYLOAD_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  VIGIL_LOCKED_OUT: { status: 429, message: 'too many failed sign-ins; try again later' },
  VIGIL_RATE_LIMITED: { status: 429, message: 'too many requests' },
  VIGIL_DEVICE_OFFLINE: { status: 409, message: 'the device is not connected' },
  VIGIL_NOT_READY: { status: 503, message: 'the hub is not ready' },
  VIGIL_NOT_AVAILABLE: { status: 501, message: 'not available in this build' },
  VIGIL_STORAGE_FULL: { status: 507, message: 'storage full: the change was not stored' },
  VIGIL_STORAGE_FAILED: { status: 503, message: 'storage failed: the change was not stored' },
  VIGIL_BROKER_FAILED: {
    status: 502,
    message: 'the MQTT broker refused or did not answer the credential change; nothing was changed',
  },
  VIGIL_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, CatalogueEntry>

/** Refusals of the manifest and vendor APIs beyond signing (version history, vendor scope, rollouts). */
const MANIFEST_ERRORS = {
  ROLLBACK: { status: 409, message: 'a manifest may not go back to an older version than one accepted' },
  MIX_AND_MATCH: { status: 409, message: 'the same version was already accepted with different content' },
  WRONG_VENDOR_TOKEN: { status: 403, message: 'this vendor token may not act for that vendor' },
  NO_VENDOR_KEYS: { status: 422, message: 'the vendor has no trusted key yet' },
  DUPLICATE_KEY: { status: 409, message: 'the key is already registered' },
  VENDOR_EXISTS: { status: 409, message: 'a vendor of that name exists' },
  NOT_APPLICABLE: { status: 409, message: 'the manifest applies to no device' },
  ROLLOUT_STATE: { status: 409, message: 'the rollout is not in a state that allows this' },
} as const satisfies Record<string, CatalogueEntry>

/** What each signing refusal means (the status is signing's own `SIGNING_ERROR_STATUS`). */
const SIGNING_MEANINGS: Record<SigningErrorCode, string> = {
  MALFORMED_ENVELOPE: 'not a DSSE envelope (strict JSON, expected fields)',
  OVERSIZE: 'the envelope is larger than allowed',
  WRONG_PAYLOAD_TYPE: 'the envelope carries another payload type',
  BAD_SIGNATURE: 'a signature does not verify',
  UNKNOWN_KEY: 'signed by a key that is not trusted for this vendor',
  REVOKED_KEY: 'signed by a revoked key',
  THRESHOLD_NOT_MET: 'fewer valid signatures than the vendor threshold',
  MALFORMED_PAYLOAD: 'the payload is not valid JSON',
  SCHEMA: 'the payload does not match its schema',
  EXPIRED: 'the manifest has expired',
  RELEASED_IN_FUTURE: 'the release date lies in the future',
  VENDOR_MISMATCH: 'the payload names another vendor than the signer',
  BAD_KEY: 'the public key cannot be read',
  BAD_TRUST: 'the held trust material is unusable',
  STALE_ROTATION: 'the rotation is not newer than the held key set',
  ARTIFACT_NAME: 'an artifact name is not allowed',
  ARTIFACT_SIZE: 'an artifact does not have the declared size',
  ARTIFACT_HASH: 'an artifact does not have the declared hash',
  ARTIFACT_MISSING: 'an artifact could not be fetched',
  ROOT_MISSING: 'no trust root is held',
  ROOT_EXPIRED: 'the trust root has expired',
  ROOT_SIGNATURE_THRESHOLD: 'the trust root is not signed by enough root keys',
  ROOT_REPLAY: 'the trust root is not newer than the held one',
  DELEGATION_UNSIGNED: 'the delegation is not signed by the root',
  DELEGATION_ALTERED: 'the delegation differs from what the root signed',
  DELEGATION_THRESHOLD: 'the delegation is not signed by enough root keys',
  DELEGATION_REPLAY: 'the delegation is not newer than the held one',
  DELEGATION_EXPIRED: 'the delegation has expired',
  DELEGATION_MISSING: 'no delegation names this vendor',
}

const SIGNING_ERRORS = Object.fromEntries(
  Object.entries(SIGNING_MEANINGS).map(([code, message]) => [
    code,
    { status: SIGNING_ERROR_STATUS[code as SigningErrorCode], message },
  ]),
) as Record<SigningErrorCode, CatalogueEntry>

export type HubErrorCode = keyof typeof HUB_ERRORS
export type ManifestErrorCode = keyof typeof MANIFEST_ERRORS | SigningErrorCode
/** Every code an error answer of the API may carry. */
export type ApiErrorCode = HubErrorCode | ManifestErrorCode

/** The catalogue: every code with its HTTP status and meaning. */
export const API_ERRORS: Readonly<Record<ApiErrorCode, CatalogueEntry>> &
  typeof HUB_ERRORS &
  typeof MANIFEST_ERRORS = Object.freeze({ ...HUB_ERRORS, ...MANIFEST_ERRORS, ...SIGNING_ERRORS })

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code)
}
