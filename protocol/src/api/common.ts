import { type Static, Type } from '../schema.js'

export const Role = Type.Union(
  [Type.Literal('admin'), Type.Literal('operator'), Type.Literal('technician'), Type.Literal('vendor')],
  { $id: 'Role' },
)
export type Role = Static<typeof Role>

/** The one error shape of the HTTP API: `{"error":{"code","message"}}`. */
export const ApiError = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable code from the catalogue, e.g. VIGIL_UNAUTHENTICATED' }),
      message: Type.String(),
    }),
  },
  { $id: 'ApiError' },
)
export type ApiError = Static<typeof ApiError>

/**
 * 409 `VIGIL_CONFLICT` of a change sent with a version (If-Match, bulk `versions`) when the record
 * changed since: nothing was changed; `current` holds each such record as it is now (`view` as the
 * route's own view of it, null when it is gone).
 */
export const ApiConflict = Type.Object(
  {
    error: ApiError.properties.error,
    current: Type.Optional(
      Type.Array(
        Type.Object({
          id: Type.String(),
          version: Type.Union([Type.Integer(), Type.Null()]),
          view: Type.Unknown(),
        }),
      ),
    ),
  },
  { $id: 'ApiConflict' },
)
export type ApiConflict = Static<typeof ApiConflict>

/**
 * A file answered as bytes (backup, bundle): the OpenAPI `format: binary` string. Its static type is
 * `unknown` because the hub streams it (a Node stream is not a JSON value).
 */
export const BinaryFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary' })

/** A 204 answer: done, no body (declared so every route's response is in the OpenAPI document). */
export const NoContent = Type.Null({ description: 'done; no body' })
