/**
 * Authentication of HTTP requests: `Authorization: Bearer <token>` or the `vigil_session` cookie.
 *
 * Routes declare who may call them with `onRequest: app.requireRole(...)`. It runs in the `onRequest`
 * phase, before fastify reads or parses the body, so an anonymous or wrong-role request is answered
 * 401/403 without its body ever being buffered. Every `/api/v1` route must carry such a guard or be
 * declared public (`config: { access: 'public' }`): `onRoute` refuses to start a hub with an unguarded
 * route, and records each route's roles in `app.routeAccess` (what hub/README.md's table states).
 */
import { API_PREFIX, type Role } from '@vigil/protocol'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { authenticateToken, SESSION_COOKIE } from '../auth/sessions.js'
import { HubError } from '../errors.js'
import type { UserRecord } from '../store/types.js'

/** Who may call a route: the roles listed, any signed-in user, or anyone (no session needed). */
export type RouteAccess = { kind: 'roles'; roles: Role[] } | { kind: 'signed-in' } | { kind: 'public' }

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRecord | null
    sessionToken: string | null
  }
  interface FastifyInstance {
    /** onRequest guard: signed in (any role when none given), else 401/403 before the body is read. */
    requireRole(...roles: Role[]): onRequestHookHandler
    /** `METHOD url` → who may call it, for every route under `/api/`. */
    routeAccess: Map<string, RouteAccess>
  }
  interface FastifyContextConfig {
    /** `public`: callable without a session (sign-in, enrollment). */
    access?: 'public'
  }
}

const GUARD = Symbol('vigil.requireRole')
type Guard = onRequestHookHandler & { [GUARD]?: RouteAccess }

export function tokenOf(req: {
  headers: Record<string, unknown>
  cookies?: Record<string, string | undefined>
}) {
  const header = req.headers.authorization
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim() || null
  return req.cookies?.[SESSION_COOKIE] ?? null
}

function guardOf(hooks: unknown): RouteAccess | undefined {
  const list = Array.isArray(hooks) ? hooks : hooks ? [hooks] : []
  for (const h of list) {
    const access = (h as Guard)[GUARD]
    if (access) return access
  }
  return undefined
}

export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('user', null)
    app.decorateRequest('sessionToken', null)
    app.decorate('routeAccess', new Map<string, RouteAccess>())
    app.addHook('onRequest', async (req: FastifyRequest) => {
      const token = tokenOf(req)
      if (!token) return
      const user = authenticateToken(app.hub.store, token)
      if (user) {
        req.user = user
        req.sessionToken = token
      }
    })
    app.decorate('requireRole', (...roles: Role[]) => {
      const guard: Guard = async (req: FastifyRequest, _reply: FastifyReply) => {
        if (!req.user) throw new HubError('VIGIL_UNAUTHENTICATED')
        if (roles.length > 0 && !roles.includes(req.user.role)) throw new HubError('VIGIL_FORBIDDEN')
      }
      guard[GUARD] = roles.length > 0 ? { kind: 'roles', roles } : { kind: 'signed-in' }
      return guard
    })
    app.addHook('onRoute', (route) => {
      const url = route.url ?? route.path
      if (!url.startsWith('/api/')) return
      if (route.preHandler && guardOf(route.preHandler))
        throw new Error(
          `${url}: requireRole belongs in onRequest (before the body is parsed), not preHandler`,
        )
      const access: RouteAccess | undefined =
        guardOf(route.onRequest) ?? (route.config?.access === 'public' ? { kind: 'public' } : undefined)
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      // OpenAPI and its docs are the public contract; everything else under /api/v1 states its access.
      if (!access && url.startsWith(API_PREFIX))
        throw new Error(
          `${methods.join(',')} ${url}: no onRequest requireRole() and not config.access 'public'`,
        )
      for (const m of methods) app.routeAccess.set(`${m} ${url}`, access ?? { kind: 'public' })
    })
  },
  { name: 'vigil-auth', dependencies: ['vigil-core'] },
)
