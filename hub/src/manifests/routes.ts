/**
 * Manifest API. `POST /api/v1/manifests` (a vendor's token) takes the envelope as raw bytes so the
 * signing code judges its size and JSON; operators approve, advance, pause, resume and cancel rollouts,
 * and retry a device whose install failed.
 */

import {
  ApiConflict,
  ApiError,
  DeviceManifestList,
  DsseEnvelope,
  ManifestDetail,
  ManifestList,
  ManifestUpload,
  PatchAvailability,
  RolloutCancel,
  RolloutPlanInput,
  Type,
} from '@vigil/protocol'
import { MAX_ENVELOPE_BYTES } from '@vigil/protocol/signing'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HubError } from '../errors.js'
import { conflictAsHttp, ifMatch } from '../http/if-match.js'
import { emptyBodyIfNone, OPTIONAL_BODY } from '../http/optional-body.js'
import { sendRefusal } from '../refusal.js'
import type { Collection } from '../store/types.js'
import type { ManifestDb, ManifestRecord } from './db.js'
import { deviceManifests } from './device-view.js'
import { planWaves, type RolloutEngine, type Staged } from './rollout.js'
import type { ManifestService } from './service.js'
import { manifestDetail, manifestSummary } from './views.js'

const DeviceParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{1,64}$' }) })
/** A manifest (detail) or the signing/rollout refusal. */
const Refusals = { 400: ApiError, 403: ApiError, 404: ApiError, 409: ApiConflict, 422: ApiError }
const TargetParams = Type.Object({
  id: Type.String({ pattern: '^[0-9a-f]{1,64}$' }),
  deviceId: Type.String({ minLength: 1, maxLength: 64 }),
})

const actorOf = (req: FastifyRequest) => req.user?.username ?? 'unknown'

export function manifestRoutes(service: ManifestService, engine: RolloutEngine, db: ManifestDb) {
  return async (app: FastifyInstance) => {
    const staff = app.requireRole('admin', 'operator')

    /** The manifest, if the caller may see it (vendors see only their own). */
    const visible = (req: FastifyRequest): ManifestRecord => {
      const { id } = req.params as { id: string }
      const m = service.get(id)
      const user = req.user
      if (!m || (user?.role === 'vendor' && user.vendorId !== m.vendorId))
        throw new HubError('VIGIL_NOT_FOUND', `no manifest ${id}`)
      return m
    }
    const detail = (m: ManifestRecord) => {
      const version = db.manifests.versionOf(m.id)
      const view = manifestDetail(m, service.coverage(m), engine.targets(m.id))
      return version === undefined ? view : { ...view, recordVersion: version }
    }
    /**
     * A rollout action, with If-Match one step with its check: the action's writes run inside
     * `Store.writeIf` (on PostgreSQL one transaction with the manifest's row locked at the expected
     * version; embedded, one atomic step), so two operators acting on one version through two hubs get
     * one 2xx and one 409 (the current manifest). Deliveries to devices follow the commit.
     */
    const act = async (req: FastifyRequest, m: ManifestRecord, stage: (m: ManifestRecord) => Staged) => {
      const version = ifMatch(req)
      const staged =
        version === undefined
          ? stage(service.get(m.id) ?? m)
          : await conflictAsHttp(
              () =>
                app.hub.store.writeIf(
                  db.manifests as Collection<{ id: string }>,
                  [{ id: m.id, version }],
                  () =>
                    // The record as the check found it (the database's, on PostgreSQL).
                    stage(service.get(m.id) ?? m),
                ),
              (c) => {
                const now = service.get(c.id)
                return now ? detail(now) : null
              },
            )
      return engine.finish(staged)
    }

    await app.register(async (raw) => {
      // The envelope's bytes reach the verifier untouched (size, strict JSON, then shape).
      raw.removeAllContentTypeParsers()
      raw.addContentTypeParser(
        '*',
        { parseAs: 'buffer', bodyLimit: MAX_ENVELOPE_BYTES * 4 },
        (_req, body, done) => done(null, body),
      )
      // The body schema (a DSSE envelope) documents the upload; the signing code checks the bytes
      // against that same schema after their size and strict JSON, and audits a refusal.
      raw.setValidatorCompiler(() => () => true)
      const push = { body: ManifestUpload, response: { 201: ManifestDetail, ...Refusals } }
      raw.post('/manifests', { onRequest: raw.requireRole('vendor'), schema: push }, async (req, reply) => {
        const user = req.user
        if (!user?.vendorId) throw new HubError('VIGIL_FORBIDDEN', 'only a vendor token may push manifests')
        const body = req.body instanceof Buffer ? new Uint8Array(req.body) : new Uint8Array()
        const r = await service.push(body, user.vendorId, actorOf(req))
        if ('ok' in r) return sendRefusal(reply, r)
        return reply.code(201).send(detail(r))
      })
    })

    const list = { response: { 200: ManifestList } }
    app.get('/manifests', { onRequest: app.requireRole(), schema: list }, async (req) => {
      const user = req.user
      const list = service.list(user?.role === 'vendor' ? (user.vendorId ?? '-') : undefined)
      return {
        manifests: list.map((m) => manifestSummary(m, service.coverage(m), engine.targets(m.id))),
        total: list.length,
      }
    })

    app.get(
      '/devices/:id/manifests',
      {
        onRequest: app.requireRole('admin', 'operator', 'technician'),
        schema: { params: DeviceParams, response: { 200: DeviceManifestList, 404: ApiError } },
      },
      async (req) => {
        const { id } = req.params as { id: string }
        const device = app.hub.registry.get(id)
        if (!device) throw new HubError('VIGIL_NOT_FOUND', `no device ${id}`)
        return { deviceId: id, manifests: deviceManifests(db, device, Date.now()) }
      },
    )

    app.get(
      '/manifests/patch-available',
      { onRequest: staff, schema: { response: { 200: PatchAvailability } } },
      async () => ({ findings: service.patchAvailability() }),
    )

    app.get(
      '/manifests/:id',
      {
        onRequest: app.requireRole(),
        schema: { params: IdParams, response: { 200: ManifestDetail, 404: ApiError } },
      },
      async (req) => detail(visible(req)),
    )

    app.get(
      '/manifests/:id/envelope',
      {
        onRequest: app.requireRole(),
        schema: { params: IdParams, response: { 200: DsseEnvelope, 404: ApiError } },
      },
      async (req) => visible(req).envelope,
    )

    app.post(
      '/manifests/:id/rollout',
      {
        onRequest: staff,
        schema: { params: IdParams, body: RolloutPlanInput, response: { 201: ManifestDetail, ...Refusals } },
      },
      async (req, reply) => {
        const m = visible(req)
        const body = req.body as { canary?: string[]; steps?: number[]; autoAdvance?: boolean }
        if (Date.parse(m.payload.expiresAt) <= Date.now())
          return sendRefusal(reply, {
            code: 'EXPIRED',
            message: `manifest ${m.id} expired at ${m.payload.expiresAt}`,
          })
        const applicable = service.coverage(m).devices.map((d) => d.id)
        if (applicable.length === 0)
          return sendRefusal(reply, {
            code: 'NOT_APPLICABLE',
            message: `manifest ${m.id} applies to no device`,
          })
        const waves = planWaves(applicable, body)
        if ('ok' in waves) return sendRefusal(reply, waves)
        const r = await act(req, m, (now) =>
          engine.stageApprove(now, waves, actorOf(req), body.autoAdvance ?? false),
        )
        if ('ok' in r) return sendRefusal(reply, r)
        return reply.code(201).send(detail(r))
      },
    )

    const action =
      (fn: (m: ManifestRecord, actor: string) => Staged) =>
      async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
        const m = visible(req)
        const r = await act(req, m, (now) => fn(now, actorOf(req)))
        if ('ok' in r) return sendRefusal(reply, r)
        return detail(r)
      }
    const opts = {
      onRequest: staff,
      schema: { params: IdParams, response: { 200: ManifestDetail, ...Refusals } },
    }
    app.post(
      '/manifests/:id/rollout/advance',
      opts,
      action((m, a) => engine.stageAdvance(m, a)),
    )
    app.post(
      '/manifests/:id/rollout/pause',
      opts,
      action((m, a) => engine.stagePaused(m, true, a)),
    )
    app.post(
      '/manifests/:id/rollout/resume',
      opts,
      action((m, a) => engine.stagePaused(m, false, a)),
    )
    app.post(
      '/manifests/:id/rollout/cancel',
      {
        onRequest: staff,
        // The body is optional: none is an empty one (no reason), which the schema then accepts.
        schema: {
          [OPTIONAL_BODY]: true,
          params: IdParams,
          body: RolloutCancel,
          response: { 200: ManifestDetail, ...Refusals },
        },
        preValidation: emptyBodyIfNone,
      },
      async (req, reply) => {
        const m = visible(req)
        const reason = (req.body as { reason?: string } | undefined)?.reason
        const r = await act(req, m, (now) => engine.stageCancel(now, actorOf(req), reason))
        if ('ok' in r) return sendRefusal(reply, r)
        return detail(r)
      },
    )
    app.post(
      '/manifests/:id/targets/:deviceId/retry',
      {
        onRequest: staff,
        schema: { params: TargetParams, response: { 200: ManifestDetail, ...Refusals } },
      },
      async (req, reply) => {
        const m = visible(req)
        const { deviceId } = req.params as { deviceId: string }
        if (!engine.targets(m.id).some((t) => t.deviceId === deviceId))
          throw new HubError('VIGIL_NOT_FOUND', `device ${deviceId} is not a target of manifest ${m.id}`)
        const r = await act(req, m, (now) => engine.stageRetry(now, deviceId, actorOf(req)))
        if ('ok' in r) return sendRefusal(reply, r)
        return detail(r)
      },
    )
  }
}
