/**
 * Response schemas as fastify compiles them. Protocol's schemas name themselves (`$id`) and nest each
 * other, so one answer can hold the same named schema twice (a device's identity and its inventory
 * both carry `OsRelease`), which the serialiser refuses ("resolves to more than one schema"). Each
 * route gets its own copy of its response schemas with the nested names dropped; protocol's objects
 * are never changed.
 */
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

/** `onRoute` hook: every declared response schema (plain or per content type) copied without nested names. */
export function inlineResponseSchemas(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined
  if (!route.schema || !response) return
  route.schema = {
    ...route.schema,
    response: Object.fromEntries(Object.entries(response).map(([code, s]) => [code, withoutNestedIds(s)])),
  }
}
