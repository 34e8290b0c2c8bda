/**
 * Stable refusal codes for everything signing can say no to. The hub puts them in
 * `{"error":{"code","message"}}`, the agent in its rollout report; tests assert on them.
 */
export const SIGNING_ERROR_CODES = [
  'MALFORMED_ENVELOPE',
  'OVERSIZE',
  'WRONG_PAYLOAD_TYPE',
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'REVOKED_KEY',
  'THRESHOLD_NOT_MET',
  'MALFORMED_PAYLOAD',
  'SCHEMA',
  'EXPIRED',
  'RELEASED_IN_FUTURE',
  'VENDOR_MISMATCH',
  'BAD_KEY',
  'BAD_TRUST',
  'STALE_ROTATION',
  'ARTIFACT_NAME',
  'ARTIFACT_SIZE',
  'ARTIFACT_HASH',
  'ARTIFACT_MISSING',
  'ROOT_MISSING',
  'ROOT_EXPIRED',
  'ROOT_SIGNATURE_THRESHOLD',
  'ROOT_REPLAY',
  'DELEGATION_UNSIGNED',
  'DELEGATION_ALTERED',
  'DELEGATION_THRESHOLD',
  'DELEGATION_REPLAY',
  'DELEGATION_EXPIRED',
  'DELEGATION_MISSING',
] as const
export type SigningErrorCode = (typeof SIGNING_ERROR_CODES)[number]

/** One refusal: a stable code and a message that names what is wrong. */
export interface SigningFailure {
  ok: false
  code: SigningErrorCode
  message: string
  /** Per-signature findings when the threshold was not met (diagnostics for logs and audit). */
  problems?: string[]
}

export function fail(code: SigningErrorCode, message: string, problems?: string[]): SigningFailure {
  return problems === undefined ? { ok: false, code, message } : { ok: false, code, message, problems }
}

/** Thrown by the throwing helpers (key parsing, signing) — never by the verify functions. */
export class SigningError extends Error {
  readonly code: SigningErrorCode
  constructor(code: SigningErrorCode, message: string) {
    super(message)
    this.name = 'SigningError'
    this.code = code
  }
}

/** The HTTP status a server answers with for each refusal (the hub's `{"error":{"code","message"}}`). */
export const SIGNING_ERROR_STATUS: Readonly<Record<SigningErrorCode, number>> = Object.freeze({
  MALFORMED_ENVELOPE: 400,
  OVERSIZE: 413,
  WRONG_PAYLOAD_TYPE: 415,
  BAD_SIGNATURE: 422,
  UNKNOWN_KEY: 422,
  REVOKED_KEY: 422,
  THRESHOLD_NOT_MET: 422,
  MALFORMED_PAYLOAD: 400,
  SCHEMA: 422,
  EXPIRED: 422,
  RELEASED_IN_FUTURE: 422,
  VENDOR_MISMATCH: 403,
  BAD_KEY: 400,
  BAD_TRUST: 500,
  STALE_ROTATION: 409,
  ARTIFACT_NAME: 422,
  ARTIFACT_SIZE: 422,
  ARTIFACT_HASH: 422,
  ARTIFACT_MISSING: 422,
  ROOT_MISSING: 409,
  ROOT_EXPIRED: 422,
  ROOT_SIGNATURE_THRESHOLD: 422,
  ROOT_REPLAY: 409,
  DELEGATION_UNSIGNED: 422,
  DELEGATION_ALTERED: 422,
  DELEGATION_THRESHOLD: 422,
  DELEGATION_REPLAY: 409,
  DELEGATION_EXPIRED: 422,
  DELEGATION_MISSING: 422,
})
