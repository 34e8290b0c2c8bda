/**
 * Optimistic concurrency over HTTP (issue 13 point 4; hub/README.md "Concurrent changes"): a changing
 * request names the version of the record it was made from in `If-Match` (the record's `version`, as
 * the views show it and as `ETag` answers it: `"7"`; a bare `7` is taken too). A record changed since
 * is refused with 409 `VIGIL_CONFLICT` and the current record (`current`), never overwritten.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { HubError } from '../errors.js'
import { type Conflict, VersionConflictError } from '../store/conditional.js'

/** The version named by `If-Match`, or undefined when the request names none. */
export function ifMatch(req: FastifyRequest): number | undefined {
  const raw = req.headers['if-match']
  if (raw === undefined) return undefined
  const text = (Array.isArray(raw) ? raw.join(',') : raw).trim()
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(text)
  if (!m) throw new HubError('VIGIL_BAD_REQUEST', 'If-Match must be the record\'s version, e.g. "7"')
  return Number(m[1])
}

/** `ETag` of a record's version (a GET answers it; If-Match sends it back). */
export function etag(reply: FastifyReply, version: number | undefined): void {
  if (version !== undefined) reply.header('etag', `"${version}"`)
}

/**
 * Runs `fn`; a VersionConflictError becomes 409 VIGIL_CONFLICT carrying the current records as the
 * caller's views (`view` of a conflict: null when the record is gone).
 */
export async function conflictAsHttp<R, V>(
  fn: () => Promise<R>,
  view: (c: Conflict) => V | null,
): Promise<R> {
  try {
    return await fn()
  } catch (err) {
    if (!(err instanceof VersionConflictError)) throw err
    const current = (err.conflicts as Conflict[]).map((c) => ({
      id: c.id,
      version: c.version,
      view: view(c),
    }))
    throw new HubError(
      'VIGIL_CONFLICT',
      `changed by someone else: ${err.message.replace(/^changed by someone else: /, '')}`,
      {},
      { current },
    )
  }
}
