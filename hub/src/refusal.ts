/**
 * Returned refusals of the manifest and vendor APIs: the signing codes of `@vigil/protocol/signing` plus
 * the hub's own (version history, vendor scope). Codes and statuses are the one catalogue's
 * (`API_ERRORS` in `@vigil/protocol`), the same a thrown `HubError` uses; a refusal answers
 * `{"error":{"code","message"}}` like every other error, and `toHubError` turns one into the thrown form.
 * Here, beside `errors.ts`, rather than in `manifests/`, because `vendors/` refuses with the same codes
 * and `manifests/` imports `vendors/` (a folder-level loop otherwise).
 */
import { API_ERRORS, type ManifestErrorCode } from '@vigil/protocol'
import type { FastifyReply } from 'fastify'
import { errorBody, HubError } from './errors.js'

export type { ManifestErrorCode }

export function statusOf(code: ManifestErrorCode): number {
  return API_ERRORS[code].status
}

export interface Refusal {
  ok: false
  code: ManifestErrorCode
  message: string
}

export function refusal(code: ManifestErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

/** The thrown form of a refusal (same code, status and message). */
export function toHubError(r: Pick<Refusal, 'code' | 'message'>): HubError {
  return new HubError(r.code, r.message)
}

export function sendRefusal(reply: FastifyReply, r: Pick<Refusal, 'code' | 'message'>) {
  return reply.code(statusOf(r.code)).send(errorBody(r.code, r.message))
}
