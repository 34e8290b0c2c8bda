import { hostname } from 'node:os'
/** Enrollment tokens (`/api/v1/enrollment-tokens`) and enrollment itself (`POST /api/v1/enroll`). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ApiError,
  EnrollmentTokenBody,
  EnrollmentTokenList,
  EnrollmentTokenResponse,
  EnrollRequest,
  EnrollResponse,
  NoContent,
  Type,
} from '@vigil/protocol'
import { createEnrollmentToken, enrollDevice, revokeToken, tokenUsable } from '../../devices/enrollment.js'
import { toSummary } from '../../devices/registry.js'
import { HubError } from '../../errors.js'
import { FailureAudit } from '../failure-audit.js'
import { AttemptLimiter } from '../login-limit.js'

export const enrollmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = app.hub
  const tags = ['enrollment']
  // Enrollment needs no session: attempts are limited per address, failures aggregated in the audit log.
  const limiter = new AttemptLimiter(hub.config.enrollAttemptsPerMin, 60_000)
  const failures = new FailureAudit((entry) => hub.audit(entry), hub.config.auditFailureWindowSec * 1000)
  app.addHook('preClose', async () => failures.close())

  app.post(
    '/enrollment-tokens',
    {
      onRequest: app.requireRole('admin', 'operator'),
      schema: {
        tags,
        summary: 'Create an enrollment token',
        body: EnrollmentTokenBody,
        response: { 201: EnrollmentTokenResponse, 400: ApiError, 401: ApiError, 403: ApiError },
      },
    },
    async (req, reply) => {
      const body = req.body ?? {}
      const { token, record } = createEnrollmentToken(hub.store, {
        ...body,
        createdBy: req.user?.username ?? 'unknown',
      })
      hub.audit({ actor: record.createdBy, action: 'token.create', target: record.id, ok: true, ip: req.ip })
      return reply.code(201).send({ token, id: record.id, uses: record.uses, expiresAt: record.expiresAt })
    },
  )

  app.get(
    '/enrollment-tokens',
    {
      onRequest: app.requireRole('admin', 'operator'),
      schema: { tags, summary: 'List enrollment tokens', response: { 200: EnrollmentTokenList } },
    },
    async () => ({
      tokens: hub.store.tokens
        .values()
        .map(({ tokenHash: _, ...t }) => ({ ...t, usable: tokenUsable({ ...t, tokenHash: '' }) })),
    }),
  )

  app.delete(
    '/enrollment-tokens/:id',
    {
      onRequest: app.requireRole('admin', 'operator'),
      schema: {
        tags,
        summary: 'Revoke an enrollment token',
        params: Type.Object({ id: Type.String() }),
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      revokeToken(hub.store, req.params.id)
      hub.audit({ actor: req.user?.username ?? '', action: 'token.revoke', target: req.params.id, ok: true })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/enroll',
    {
      config: { access: 'public' },
      bodyLimit: 16 * 1024,
      schema: {
        tags,
        summary: 'Enroll a device with a token (no session needed)',
        body: EnrollRequest,
        response: { 201: EnrollResponse, 400: ApiError, 401: ApiError, 429: ApiError, 502: ApiError },
      },
    },
    async (req, reply) => {
      const wait = limiter.hit(req.ip)
      if (wait > 0) {
        failures.record('device.enroll.rate-limited', req.ip)
        throw new HubError('VIGIL_RATE_LIMITED', `too many enrollment attempts; try again in ${wait} s`, {
          'retry-after': String(wait),
        })
      }
      try {
        const { device, secret, tokenId } = enrollDevice(hub.store, req.body.token, req.body.name)
        hub.registry.add(device)
        const undo = () => {
          hub.registry.remove(device.id)
          const token = hub.store.tokens.get(tokenId)
          if (token && token.used > 0) hub.store.tokens.put({ ...token, used: token.used - 1 })
        }
        // External broker with hub-issued credentials: the device exists there before it exists here,
        // or not at all (no device nobody holds working credentials for; the token's use is given back).
        if (hub.brokerCredentials) {
          try {
            await hub.brokerCredentials.create(device.id, secret, device.name)
          } catch (err) {
            undo()
            throw err
          }
        }
        hub.audit({
          actor: `token:${tokenId}`,
          action: 'device.enroll',
          target: device.id,
          ok: true,
          detail: device.name,
          ip: req.ip,
        })
        hub.events.emit('feed', {
          id: `enroll-${device.id}`,
          ts: device.enrolledAt,
          deviceId: device.id,
          deviceName: device.name,
          kind: 'device-enrolled',
          message: `${device.name} enrolled`,
        })
        // Enrollment must survive a crash right after the answer; if it cannot be stored, it is undone
        // (no device nobody holds credentials for, and the token's use is given back).
        try {
          await hub.store.commit()
        } catch (err) {
          undo()
          await hub.brokerCredentials?.remove(device.id).catch(() => {})
          throw err
        }
        const summary = toSummary(device)
        const enrollmentTrust = app.enrollmentTrust
        const trust = enrollmentTrust?.bundle()
        return reply.code(201).send({
          deviceId: summary.id,
          mqtt: {
            url: mqttUrlFor(hub.config, hub.bus?.ports()),
            username: device.id,
            password: secret,
          },
          ...(enrollmentTrust ? { vendors: enrollmentTrust.vendors() } : {}),
          ...(trust && trust.roots.length > 0 ? { trust } : {}),
        })
      } catch (err) {
        failures.record('device.enroll', req.ip)
        throw err
      }
    },
  )
}

/**
 * The broker URL handed to a device: configuration only, never the request's Host header (which the
 * caller controls). TLS when the hub listens for it and plaintext is closed.
 */
export function mqttUrlFor(
  config: {
    mqttPublicUrl?: string
    mqttUrl?: string
    mqttHost: string
    mqttPort: number
    mqttTlsPort: number
  },
  bound: { mqtt?: number; mqtts?: number } | undefined,
): string {
  if (config.mqttPublicUrl) return config.mqttPublicUrl
  if (config.mqttUrl) return config.mqttUrl
  const wildcard = config.mqttHost === '0.0.0.0' || config.mqttHost === '::' || config.mqttHost === ''
  const host = wildcard
    ? hostname()
    : config.mqttHost.includes(':')
      ? `[${config.mqttHost}]`
      : config.mqttHost
  if (bound?.mqtt === undefined && bound?.mqtts !== undefined) return `mqtts://${host}:${bound.mqtts}`
  return `mqtt://${host}:${bound?.mqtt ?? config.mqttPort}`
}
