/**
 * Refusals of the manifest and vendor APIs: the signing codes of `@vigil/protocol/signing` plus the
 * hub's own (version history, vendor scope). Each answers `{"error":{"code","message"}}`.
 * Here, beside `errors.ts`, rather than in `manifests/`, because `vendors/` refuses with the same codes
 * and `manifests/` imports `vendors/` (a folder-level loop otherwise). Returned `Refusal` values and
 * thrown `HubError`s are still two systems (issue 19, point 2: one coded catalogue).
 */
import { SIGNING_ERROR_STATUS, type SigningErrorCode } from '@vigil/protocol/signing'
import type { FastifyReply } from 'fastify'

export const MANIFEST_ERROR_STATUS = {
  ROLLBACK: 409,
  MIX_AND_MATCH: 409,
  WRONG_VENDOR_TOKEN: 403,
  NO_VENDOR_KEYS: 422,
  DUPLICATE_KEY: 409,
  VENDOR_EXISTS: 409,
  NOT_APPLICABLE: 409,
  ROLLOUT_STATE: 409,
} as const

export type ManifestErrorCode = keyof typeof MANIFEST_ERROR_STATUS | SigningErrorCode

export function statusOf(code: ManifestErrorCode): number {
  return code in MANIFEST_ERROR_STATUS
    ? MANIFEST_ERROR_STATUS[code as keyof typeof MANIFEST_ERROR_STATUS]
    : SIGNING_ERROR_STATUS[code as SigningErrorCode]
}

export interface Refusal {
  ok: false
  code: ManifestErrorCode
  message: string
}

export function refusal(code: ManifestErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

export function sendRefusal(reply: FastifyReply, r: Pick<Refusal, 'code' | 'message'>) {
  return reply.code(statusOf(r.code)).send({ error: { code: r.code, message: r.message } })
}
