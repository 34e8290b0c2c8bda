/**
 * Optimistic concurrency in the dashboard (issue 13 point 4; hub/README.md "Concurrent changes"): every
 * change names the version of the record the operator saw (`If-Match`), and a 409 `VIGIL_CONFLICT`
 * ("changed by someone else meanwhile") is shown with the record as it is now, never retried blindly.
 */
import { compile, type Static, type TSchema } from '@vigil/protocol'
import { ApiRequestError } from '../api/http.js'

/** The `If-Match` header naming `version` (none when the view carried no version). */
export function ifMatchHeaders(version: number | undefined): { headers?: Record<string, string> } {
  return version === undefined ? {} : { headers: { 'if-match': `"${version}"` } }
}

export interface Conflict<T> {
  /** The record's version now (null when it is gone). */
  version: number | null
  /** The record as it is now (null when it is gone or its view is not the expected shape). */
  view: T | null
}

/**
 * The conflict a failed change ran into, with the record `id` as it is now (its `view` checked
 * against `schema`), or null when the failure is not a version conflict.
 */
export function conflictOf<S extends TSchema>(
  err: unknown,
  id: string,
  schema: S,
): Conflict<Static<S>> | null {
  if (!(err instanceof ApiRequestError) || err.code !== 'VIGIL_CONFLICT') return null
  const c = err.current.find((x) => x.id === id) ?? err.current[0]
  if (!c) return { version: null, view: null }
  const checked = compile(schema).validate(c.view)
  return { version: c.version, view: checked.ok ? (checked.value as Static<S>) : null }
}

export const CHANGED_MEANWHILE = 'Changed by someone else meanwhile; your change was not applied.'
