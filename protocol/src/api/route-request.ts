/**
 * One call of a route of the route map (`API_ROUTES`), typed by it: the path parameters, query and body a
 * client passes are the route's own types, so a changed route schema breaks every caller's typecheck
 * (the dashboard's API client, the agent's enrollment, the hub's CLI). `routeRequest` turns such a call
 * into the method, the path under `API_PREFIX` (parameters URL-encoded, the query appended) and the body.
 */
import {
  type ApiRoute,
  type HttpMethod,
  type RouteBody,
  type RouteBodyOptional,
  type RouteParams,
  type RouteQuery,
  routeUrl,
} from './routes.js'

/** What one call of route `R` takes (`params` when its path has parameters, `body` when it has one). */
export type RouteInput<R extends ApiRoute> = ([keyof RouteParams<R>] extends [never]
  ? { params?: undefined }
  : { params: RouteParams<R> }) &
  ([RouteQuery<R>] extends [never] ? { query?: undefined } : { query?: RouteQuery<R> }) &
  ([RouteBody<R>] extends [never]
    ? { body?: undefined }
    : RouteBodyOptional<R> extends true
      ? { body?: RouteBody<R> }
      : { body: RouteBody<R> })

/**
 * The input argument of a call, with the caller's own options `Extra` (e.g. a signal): optional where
 * the route needs neither path parameters nor a body.
 */
export type RouteArgs<R extends ApiRoute, Extra = unknown> = [keyof RouteParams<R>] extends [never]
  ? [RouteBody<R>] extends [never]
    ? [input?: RouteInput<R> & Extra]
    : [input: RouteInput<R> & Extra]
  : [input: RouteInput<R> & Extra]

/** A call of a route as HTTP: `path` is under `API_PREFIX`; `body` is the value to send as JSON, if any. */
export interface RouteRequest {
  method: HttpMethod
  path: string
  body?: unknown
}

/** `?a=1&b=x` from a query object (undefined values left out). */
export function queryString(query: Record<string, unknown> | undefined): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) p.set(k, String(v))
  const s = p.toString()
  return s === '' ? '' : `?${s}`
}

/** `'PATCH /users/:username', {params: {username: 'a b'}, body}` → `PATCH`, `/users/a%20b`, the body. */
export function routeRequest<R extends ApiRoute>(route: R, ...[input]: RouteArgs<R>): RouteRequest {
  const i = (input ?? {}) as { params?: RouteParams<R>; query?: Record<string, unknown>; body?: unknown }
  const { method, path } = routeUrl(route, (i.params ?? {}) as RouteParams<R>)
  return {
    method,
    path: `${path}${queryString(i.query)}`,
    ...(i.body === undefined ? {} : { body: i.body }),
  }
}
