/**
 * Response schemas as fastify compiles them. Protocol's schemas name themselves (`$id`) and nest each
 * other, so one answer can hold the same named schema twice (a device's identity and its inventory
 * both carry `OsRelease`), which the serialiser refuses ("resolves to more than one schema"). Each
 * route gets its own copy of its response schemas with the nested names dropped; protocol's objects
 * are never changed. Every API route also declares its error answers: any 4xx or 5xx it does not
 * name itself is the one shared error shape (`ApiError`, codes from the catalogue).
 */
import { API_PREFIX, ApiError } from '@vigil/protocol'
import type { RouteOptions } from 'fastify'

/** A deep copy of `schema` without `$id` below its root. */
export function withoutNestedIds<T>(schema: T, root = true): T {
  if (Array.isArray(schema)) return schema.map((s) => withoutNestedIds(s, false)) as T
  if (schema === null || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$id' && !root) continue
    out[k] = withoutNestedIds(v, false)
  }
  return out as T
}

const ERRORS = { '4xx': ApiError, '5xx': ApiError }

/**
 * An object of `entries` (keyed by status code), the same to JavaScript as `Object.fromEntries` gives,
 * with its numeric keys in a dictionary. Status codes are array indices to V8: built the plain way, a
 * `200` key makes it allocate ~320 element slots (2.5 KB) and a `404` ~620 (5 KB), for every route.
 * An index set (and removed) far beyond them first makes V8 choose the dictionary (~0.6 MB less held
 * by an idle hub).
 */
export function byStatus(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const far = String(2 ** 20)
  out[far] = undefined
  Reflect.deleteProperty(out, far)
  for (const [code, value] of entries) out[code] = value
  return out
}

/**
 * The `onRoute` hook of one hub: every declared response schema (plain or per content type) copied
 * without nested names, and on API routes the shared error schema for the error classes the route
 * leaves undeclared. One copy per protocol schema, shared by the hub's routes that answer it (the error
 * shape is on every API route, twice): ~150 routes' own deep copies were ~12,000 objects an idle hub
 * held. Nothing changes a copy once made (fastify, its serialiser compiler and the OpenAPI generator
 * copy what they alter).
 */
export function inlineResponseSchemas(): (route: RouteOptions) => void {
  const copies = new Map<object, unknown>()
  const sharedCopy = (schema: unknown): unknown => {
    if (schema === null || typeof schema !== 'object') return schema
    let copy = copies.get(schema)
    if (copy === undefined) {
      copy = withoutNestedIds(schema)
      copies.set(schema, copy)
    }
    return copy
  }
  return (route) => {
    const api = route.url.startsWith(`${API_PREFIX}/`) || route.url === API_PREFIX
    const declared = route.schema?.response as Record<string, unknown> | undefined
    if (!declared && !api) return
    const response = { ...(api ? ERRORS : {}), ...declared }
    route.schema = {
      ...route.schema,
      response: byStatus(Object.entries(response).map(([code, s]) => [code, sharedCopy(s)])),
    }
  }
}
