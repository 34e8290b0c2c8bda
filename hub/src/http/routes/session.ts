/** Sign-in: `POST/GET/DELETE /api/v1/session`. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, NoContent, SessionRequest, SessionResponse, SessionState } from '@vigil/protocol'
import { Counter } from 'prom-client'
import { SESSION_COOKIE, sessionUser, signIn, signOut } from '../../auth/sessions.js'
import { HubError } from '../../errors.js'
import { FailureAudit } from '../failure-audit.js'
import { AttemptLimiter } from '../login-limit.js'
import { SignInBackoff } from '../sign-in-backoff.js'

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, config } = app.hub
  // Per address, before any password is checked; then per user and address (never per account alone).
  const limiter = new AttemptLimiter(config.loginAttemptsPerMin, 60_000)
  const backoff = new SignInBackoff(config.loginMaxFailures, config.loginLockoutSec * 1000)
  const failures = new FailureAudit((entry) => app.hub.audit(entry), config.auditFailureWindowSec * 1000)
  app.addHook('preClose', async () => failures.close())
  const checks = new Counter({
    name: 'vigil_sign_in_password_checks_total',
    help: 'Sign-in attempts that computed a password hash (every attempt past the address limit does)',
    registers: [app.hub.metrics.registry],
  })
  const policy = { ttlSec: config.sessionTtlSec, onPasswordCheck: () => checks.inc() }

  app.post(
    '/session',
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
      const { username, password } = req.body
      const wait = limiter.hit(req.ip)
      if (wait > 0) {
        failures.record('session.rate-limited', req.ip, username)
        throw new HubError('VIGIL_RATE_LIMITED', `too many sign-in attempts; try again in ${wait} s`, {
          'retry-after': String(wait),
        })
      }
      try {
        const { token, user, session } = await signIn(store, policy, {
          username,
          password,
          waitSec: backoff.waitSec(username, req.ip),
        })
        backoff.succeeded(username, req.ip)
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
        if (err instanceof HubError && err.code === 'VIGIL_BAD_CREDENTIALS') backoff.failed(username, req.ip)
        if (err instanceof HubError) failures.record('session.create', req.ip, username)
        throw err
      }
    },
  )

  // Whether the caller is signed in: 200 either way, so that asking is never an error.
  app.get(
    '/session',
    {
      config: { access: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Whether the caller is signed in',
        response: { 200: SessionState },
      },
    },
    async (req): Promise<SessionState> =>
      req.user ? { signedIn: true, user: sessionUser(req.user) } : { signedIn: false },
  )

  app.delete(
    '/session',
    { config: { access: 'public' }, schema: { tags: ['session'], response: { 204: NoContent } } },
    async (req, reply) => {
      if (req.sessionToken) {
        signOut(store, req.sessionToken)
        if (req.user) {
          app.hub.audit({ actor: req.user.username, action: 'session.delete', ok: true, ip: req.ip })
          app.hub.events.emit('session-ended', { userId: req.user.id })
        }
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send(null)
    },
  )
}
