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
 * A file answered as bytes (backup, bundle): the OpenAPI `format: binary` string. Its static type is
 * `unknown` because the hub streams it (a Node stream is not a JSON value).
 */
export const BinaryFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary' })

/** A 204 answer: done, no body (declared so every route's response is in the OpenAPI document). */
export const NoContent = Type.Null({ description: 'done; no body' })
