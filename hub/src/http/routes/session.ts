/** Sign-in: `POST/GET/DELETE /api/v1/session`. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, SessionRequest, SessionResponse, SessionUser, Type } from '@vigil/protocol'
import { SESSION_COOKIE, sessionUser, signIn, signOut } from '../../auth/sessions.js'
import { HubError } from '../../errors.js'
import { AttemptLimiter } from '../login-limit.js'

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, config } = app.hub
  const limiter = new AttemptLimiter(config.loginAttemptsPerMin, 60_000)

  app.post(
    '/api/v1/session',
    {
      config: { access: 'public' },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['session'],
        summary: 'Sign in',
        body: SessionRequest,
        response: { 200: SessionResponse, 401: ApiError, 429: ApiError },
      },
    },
    async (req, reply) => {
      const wait = limiter.hit(req.ip)
      if (wait > 0) {
        app.hub.audit({ actor: req.body.username, action: 'session.rate-limited', ok: false, ip: req.ip })
        throw new HubError('VIGIL_RATE_LIMITED', `too many sign-in attempts; try again in ${wait} s`, {
          'retry-after': String(wait),
        })
      }
      try {
        const { token, user, session } = await signIn(
          store,
          {
            ttlSec: config.sessionTtlSec,
            maxFailures: config.loginMaxFailures,
            lockoutSec: config.loginLockoutSec,
          },
          req.body.username,
          req.body.password,
        )
        app.hub.audit({ actor: user.username, action: 'session.create', ok: true, ip: req.ip })
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: req.protocol === 'https',
          expires: new Date(session.expiresAt),
        })
        return { token, user: sessionUser(user), expiresAt: session.expiresAt }
      } catch (err) {
        if (err instanceof HubError) {
          app.hub.audit({
            actor: req.body.username,
            action: 'session.create',
            ok: false,
            detail: err.code,
            ip: req.ip,
          })
        }
        throw err
      }
    },
  )

  app.get(
    '/api/v1/session',
    {
      onRequest: app.requireRole(),
      schema: { tags: ['session'], response: { 200: Type.Object({ user: SessionUser }), 401: ApiError } },
    },
    async (req) => {
      if (!req.user) throw new HubError('VIGIL_UNAUTHENTICATED')
      return { user: sessionUser(req.user) }
    },
  )

  app.delete(
    '/api/v1/session',
    { config: { access: 'public' }, schema: { tags: ['session'] } },
    async (req, reply) => {
      if (req.sessionToken) {
        signOut(store, req.sessionToken)
        if (req.user) {
          app.hub.audit({ actor: req.user.username, action: 'session.delete', ok: true, ip: req.ip })
          app.hub.events.emit('session-ended', { userId: req.user.id })
        }
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send()
    },
  )
}
