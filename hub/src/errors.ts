/**
 * The error catalogue of the HTTP API. Every error answered by the hub has one of these stable codes and
 * the shape `{"error":{"code","message"}}`; anything unknown is normalised once, at the edge (app.ts).
 */
export const ERRORS = {
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
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof ERRORS

export class HubError extends Error {
  readonly statusCode: number
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly headers: Record<string, string> = {},
    /** Fields answered next to `error` (a 409 carries the current records: `current`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? ERRORS[code].message)
    this.statusCode = ERRORS[code].status
  }
}

/** A wrong command line: the CLI prints the message and the usage (exit 2). Thrown by any feature's CLI. */
export class UsageError extends Error {}

export function errorBody(code: ErrorCode, message?: string): { error: { code: string; message: string } } {
  return { error: { code, message: message ?? ERRORS[code].message } }
}
