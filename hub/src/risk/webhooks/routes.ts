/**
 * Webhook endpoints (admin only):
 *   GET    /api/v1/webhooks                   {webhooks: [{id,url,events,description,createdAt}]} (no secrets)
 *   POST   /api/v1/webhooks                   {url, events, secret?, description?} → 201 {id, url, events, secret}
 *   DELETE /api/v1/webhooks/:id               204
 *   GET    /api/v1/webhooks/deliveries        {deliveries: [{id,endpointId,event,attempts,status,lastError,nextAt}]}
 *   POST   /api/v1/webhooks/:id/test          queues a `ping` event to that endpoint → 202
 * Events: finding.new, finding.kev, finding.transition, finding.resolved, finding.reopened,
 * finding.overdue, acceptance.expiring, acceptance.expired, ping — or `*`.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  NoContent,
  Type,
  WebhookCreated,
  WebhookDeliveryList,
  WebhookInput,
  WebhookList,
  WebhookQueued,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { WebhookDispatcher } from './dispatcher.js'

export const webhookRoutes =
  (dispatcher: WebhookDispatcher): FastifyPluginAsyncTypebox =>
  async (app) => {
    const admin = app.requireRole('admin')
    app.get('/webhooks', { onRequest: admin, schema: { response: { 200: WebhookList } } }, async () => ({
      webhooks: dispatcher.endpoints.values().map(({ secret: _s, ...rest }) => rest),
    }))
    app.post(
      '/webhooks',
      { onRequest: admin, schema: { body: WebhookInput, response: { 201: WebhookCreated } } },
      async (req, reply) => {
        const by = req.user?.username ?? 'unknown'
        const e = dispatcher.addEndpoint(req.body, by)
        app.hub.audit({ actor: by, action: 'webhook.create', target: e.id, ok: true, detail: e.url })
        return reply.code(201).send({ id: e.id, url: e.url, events: e.events, secret: e.secret })
      },
    )
    app.delete(
      '/webhooks/:id',
      {
        onRequest: admin,
        schema: { params: Type.Object({ id: Type.String() }), response: { 204: NoContent } },
      },
      async (req, reply) => {
        if (!dispatcher.endpoints.delete(req.params.id)) throw new HubError('VIGIL_NOT_FOUND')
        app.hub.audit({
          actor: req.user?.username ?? 'unknown',
          action: 'webhook.delete',
          target: req.params.id,
          ok: true,
        })
        return reply.code(204).send(null)
      },
    )
    app.get(
      '/webhooks/deliveries',
      { onRequest: admin, schema: { response: { 200: WebhookDeliveryList } } },
      async () => ({
        deliveries: dispatcher.deliveries().map(({ body: _b, claim: _c, sentAt: _s, ...rest }) => rest),
      }),
    )
    app.post(
      '/webhooks/:id/test',
      {
        onRequest: admin,
        schema: { params: Type.Object({ id: Type.String() }), response: { 202: WebhookQueued } },
      },
      async (req, reply) => {
        const e = dispatcher.endpoints.get(req.params.id)
        if (!e) throw new HubError('VIGIL_NOT_FOUND')
        dispatcher.enqueue('ping', { endpoint: e.id }, { endpoint: e.id })
        return reply.code(202).send({ queued: true })
      },
    )
  }
