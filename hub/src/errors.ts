/**
 * The hub's side of the one error catalogue (`API_ERRORS` in `@vigil/protocol`: code → HTTP status →
 * meaning). Every error answered by the hub has one of its stable codes and the shape
 * `{"error":{"code","message"}}`; anything unknown is normalised once, at the edge (app.ts). A
 * `HubError` is the thrown form, a `Refusal` (refusal.ts) the returned one; both carry catalogue codes.
 */
import { API_ERRORS, type ApiErrorCode } from '@vigil/protocol'

export const ERRORS = API_ERRORS

export type ErrorCode = ApiErrorCode

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
