/**
 * The one HTTP client of the dashboard: same-origin, the session cookie authenticates (the bearer token
 * is added too when we hold it in memory). Answers are validated against the protocol's schemas, and
 * every failure becomes an `ApiRequestError` carrying the hub's stable error code.
 */

import {
  API_ROUTES,
  type ApiRoute,
  compile,
  type RouteArgs,
  type RouteReply,
  routeRequest,
  type Static,
  type TSchema,
  type Validator,
} from '@vigil/protocol'
import { dashboardConfig } from '../config.js'

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A 409 VIGIL_CONFLICT's records as they are now (`ApiConflict.current`: someone else changed them). */
    readonly current: { id: string; version: number | null; view: unknown }[] = [],
  ) {
    super(message)
    this.name = 'ApiRequestError'
  }
}

let bearer: string | null = null
/** Keeps the session token in memory only (never in storage): the cookie survives reloads. */
export function setBearerToken(token: string | null): void {
  bearer = token
}
export function getBearerToken(): string | null {
  return bearer
}

const validators = new WeakMap<TSchema, Validator<TSchema>>()
function validatorFor<T extends TSchema>(schema: T): Validator<T> {
  let v = validators.get(schema)
  if (!v) {
    v = compile(schema)
    validators.set(schema, v)
  }
  return v as Validator<T>
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  signal?: AbortSignal
  /** e.g. If-Match: the version of the record the change was made from. */
  headers?: Record<string, string>
}

function errorFrom(status: number, body: unknown): ApiRequestError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const e = (body as { error: unknown }).error
    if (typeof e === 'object' && e !== null) {
      const { code, message } = e as { code?: unknown; message?: unknown }
      const current = (body as { current?: unknown }).current
      return new ApiRequestError(
        status,
        typeof code === 'string' ? code : `HTTP_${status}`,
        typeof message === 'string' ? message : `request failed with status ${status}`,
        Array.isArray(current) ? current : [],
      )
    }
  }
  return new ApiRequestError(status, `HTTP_${status}`, `request failed with status ${status}`)
}

async function send(path: string, opts: RequestOptions): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (bearer) headers.authorization = `Bearer ${bearer}`
  let res: Response
  try {
    res = await fetch(`${dashboardConfig.apiBase}${path}`, {
      method: opts.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  } catch (err) {
    throw new ApiRequestError(0, 'VIGIL_NETWORK', `the hub cannot be reached (${(err as Error).message})`)
  }
  const text = await res.text()
  let body: unknown = null
  if (text !== '') {
    try {
      body = JSON.parse(text)
    } catch {
      throw new ApiRequestError(
        res.status,
        'VIGIL_BAD_RESPONSE',
        'the hub answered something that is not JSON',
      )
    }
  }
  if (!res.ok) throw errorFrom(res.status, body)
  return { status: res.status, body }
}

/** Calls the API and checks the answer against `schema`. */
export async function request<T extends TSchema>(
  path: string,
  schema: T,
  opts: RequestOptions = {},
): Promise<Static<T>> {
  const { body } = await send(path, opts)
  const result = validatorFor(schema).validate(body)
  if (!result.ok) {
    throw new ApiRequestError(200, 'VIGIL_BAD_RESPONSE', `unexpected answer from ${path}: ${result.message}`)
  }
  return result.value
}

/** Calls the API where the answer carries nothing we need (e.g. DELETE). */
export async function requestVoid(path: string, opts: RequestOptions = {}): Promise<void> {
  await send(path, opts)
}

interface CallOptions {
  signal?: AbortSignal
  /** e.g. `if-match` with the version the operator saw (a stale change is refused with 409). */
  headers?: Record<string, string>
}

/**
 * Calls one route of protocol's route map: the path parameters, query and body are the route's types,
 * the answer is checked against the route's reply schema (a route without a reply body gives undefined).
 */
export async function call<R extends ApiRoute>(
  route: R,
  ...[input]: RouteArgs<R, CallOptions>
): Promise<RouteReply<R>> {
  const { method, path, body } = routeRequest(route, ...([input] as RouteArgs<R>))
  const reply = API_ROUTES[route].reply as TSchema | null
  const opts: RequestOptions = {
    method,
    body,
    signal: input?.signal,
    ...(input?.headers ? { headers: input.headers } : {}),
  }
  if (reply === null) {
    await requestVoid(path, opts)
    return undefined as RouteReply<R>
  }
  return (await request(path, reply, opts)) as RouteReply<R>
}
