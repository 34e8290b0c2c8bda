/**
 * Feeds over HTTP (admin only, other roles 403):
 *   GET    /api/v1/feeds            → FeedList
 *   POST   /api/v1/feeds            FeedCreate → 201 FeedView
 *   PATCH  /api/v1/feeds/:id        FeedPatch → FeedView
 *   DELETE /api/v1/feeds/:id        → 204 (a sync under way is aborted)
 *   POST   /api/v1/feeds/:id/sync   → 202 FeedView (the sync runs on; `running` shows its progress)
 *   GET    /api/v1/feeds/status     → AdvisoryStatus (any staff role: posture pages show its notice)
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdvisoryStatus, FeedCreate, FeedList, FeedPatch, FeedView, Type } from '@vigil/protocol'
import { HubError } from '../errors.js'
import type { FeedService } from './service.js'

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const feedRoutes =
  (service: FeedService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const admin = app.requireRole('admin')
    const staff = app.requireRole('admin', 'operator', 'technician')
    const actor = (u: { username: string } | null | undefined) => u?.username ?? 'unknown'
    const found = (id: string) => {
      const f = service.get(id)
      if (!f) throw new HubError('VIGIL_NOT_FOUND', `no feed ${id}`)
      return f
    }

    app.get('/api/v1/feeds', { preHandler: admin, schema: { response: { 200: FeedList } } }, async () => ({
      feeds: service.list(),
    }))

    app.get(
      '/api/v1/feeds/status',
      { preHandler: staff, schema: { response: { 200: AdvisoryStatus } } },
      async () => service.status(),
    )

    app.post(
      '/api/v1/feeds',
      { preHandler: admin, schema: { body: FeedCreate, response: { 201: FeedView } } },
      async (req, reply) => {
        if (req.body.kind === 'osv' && (req.body.ecosystems ?? []).length === 0)
          throw new HubError('VIGIL_BAD_REQUEST', 'an osv feed needs ecosystems (e.g. ["Debian"])')
        const f = service.create(req.body)
        app.hub.audit({
          actor: actor(req.user),
          action: 'feed.create',
          target: f.id,
          ok: true,
          detail: `${f.kind} ${f.url}`,
        })
        return reply.code(201).send(service.view(f))
      },
    )

    app.patch(
      '/api/v1/feeds/:id',
      { preHandler: admin, schema: { params: IdParams, body: FeedPatch, response: { 200: FeedView } } },
      async (req) => {
        found(req.params.id)
        const f = service.update(req.params.id, req.body)
        if (!f) throw new HubError('VIGIL_NOT_FOUND', `no feed ${req.params.id}`)
        app.hub.audit({
          actor: actor(req.user),
          action: 'feed.update',
          target: f.id,
          ok: true,
          detail: JSON.stringify(req.body),
        })
        return service.view(f)
      },
    )

    app.delete(
      '/api/v1/feeds/:id',
      { preHandler: admin, schema: { params: IdParams } },
      async (req, reply) => {
        found(req.params.id)
        service.remove(req.params.id)
        app.hub.audit({ actor: actor(req.user), action: 'feed.delete', target: req.params.id, ok: true })
        return reply.code(204).send()
      },
    )

    app.post(
      '/api/v1/feeds/:id/sync',
      { preHandler: admin, schema: { params: IdParams, response: { 202: FeedView } } },
      async (req, reply) => {
        const f = found(req.params.id)
        service.startSync(f.id).catch(() => {})
        app.hub.audit({ actor: actor(req.user), action: 'feed.sync', target: f.id, ok: true })
        return reply.code(202).send(service.view(f))
      },
    )
  }
