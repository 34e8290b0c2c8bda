/**
 * Authentication of HTTP requests: `Authorization: Bearer <token>` or the `vigil_session` cookie. Routes
 * declare who may call them with `app.requireRole(...)`.
 */
import type { Role } from '@vigil/protocol'
import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { authenticateToken, SESSION_COOKIE } from '../auth/sessions.js'
import { HubError } from '../errors.js'
import type { UserRecord } from '../store/types.js'

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRecord | null
    sessionToken: string | null
  }
  interface FastifyInstance {
    /** preHandler: signed in (any role when none given), else 401/403. */
    requireRole(...roles: Role[]): preHandlerHookHandler
  }
}

export function tokenOf(req: {
  headers: Record<string, unknown>
  cookies?: Record<string, string | undefined>
}) {
  const header = req.headers.authorization
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim() || null
  return req.cookies?.[SESSION_COOKIE] ?? null
}

export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('user', null)
    app.decorateRequest('sessionToken', null)
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
      const handler = async (req: FastifyRequest, _reply: FastifyReply) => {
        if (!req.user) throw new HubError('VIGIL_UNAUTHENTICATED')
        if (roles.length > 0 && !roles.includes(req.user.role)) throw new HubError('VIGIL_FORBIDDEN')
      }
      return handler
    })
  },
  { name: 'vigil-auth', dependencies: ['vigil-core'] },
)
