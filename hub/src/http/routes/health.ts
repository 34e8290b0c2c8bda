/** `/healthz` (the process answers), `/readyz` (store open, broker up), `/metrics` (Prometheus). */

import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HubError } from '../../errors.js'

const equal = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = app.hub
  app.get('/healthz', { schema: { tags: ['health'] } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { tags: ['health'] } }, async () => {
    if (!hub.ready || !hub.bus) throw new HubError('VIGIL_NOT_READY')
    const storage = hub.store.health()
    if (!storage.ok) throw new HubError('VIGIL_NOT_READY', `the hub is not ready: ${storage.reason}`)
    return { status: 'ready', broker: hub.bus.mode, devices: hub.store.devices.size }
  })
  // Metrics name devices and load: a scraper presents `metricsToken` as a bearer token (Prometheus:
  // `authorization: { type: Bearer, credentials: <token> }`), a person an admin session.
  const scraper = async (req: import('fastify').FastifyRequest) => {
    const header = req.headers.authorization
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : ''
    if (hub.config.metricsToken && equal(token, hub.config.metricsToken)) return
    if (req.user?.role === 'admin') return
    throw new HubError(req.user ? 'VIGIL_FORBIDDEN' : 'VIGIL_UNAUTHENTICATED')
  }
  app.get(
    '/metrics',
    { onRequest: scraper, schema: { tags: ['health'], hide: true } },
    async (_req, reply) => {
      reply.type(hub.metrics.registry.contentType)
      return hub.metrics.registry.metrics()
    },
  )
}
