/** `/healthz` (the process answers), `/readyz` (store open, broker up), `/metrics` (Prometheus). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HubError } from '../../errors.js'

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = app.hub
  app.get('/healthz', { schema: { tags: ['health'] } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { tags: ['health'] } }, async () => {
    if (!hub.ready || !hub.bus) throw new HubError('VIGIL_NOT_READY')
    const storage = hub.store.health()
    if (!storage.ok) throw new HubError('VIGIL_NOT_READY', `the hub is not ready: ${storage.reason}`)
    return { status: 'ready', broker: hub.bus.mode, devices: hub.store.devices.size }
  })
  app.get('/metrics', { schema: { tags: ['health'], hide: true } }, async (_req, reply) => {
    reply.type(hub.metrics.registry.contentType)
    return hub.metrics.registry.metrics()
  })
}
