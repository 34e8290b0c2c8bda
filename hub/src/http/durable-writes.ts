/**
 * Acknowledged means stored, for every HTTP write: a 2xx to POST/PUT/PATCH/DELETE is sent only after
 * the store's group commit has made every change the request made durable; if the commit fails the
 * answer becomes 507 "storage full" (or 503). While storage is failing, writes are refused before
 * they change anything.
 */
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { ERRORS, errorBody, HubError } from '../errors.js'
import { StorageError } from '../store/errors.js'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Writes that change nothing the store keeps (sign-in is recorded in the store, so it is not here). */
const READ_ONLY_POSTS = new Set<string>([])

const plugin: FastifyPluginAsync = async (app) => {
  const store = app.hub.store
  app.addHook('preHandler', async (req) => {
    if (!WRITES.has(req.method) || READ_ONLY_POSTS.has(req.routeOptions.url ?? '')) return
    const health = store.health()
    if (!health.ok)
      throw new HubError(health.code === 'STORAGE_FULL' ? 'VIGIL_STORAGE_FULL' : 'VIGIL_STORAGE_FAILED')
  })
  app.addHook('onSend', async (req, reply, payload) => {
    if (!WRITES.has(req.method) || reply.statusCode >= 400) return payload
    try {
      await store.commit()
      return payload
    } catch (err) {
      const code =
        err instanceof StorageError && err.code === 'STORAGE_FULL'
          ? 'VIGIL_STORAGE_FULL'
          : 'VIGIL_STORAGE_FAILED'
      req.log.error({ err }, 'write not stored')
      reply.code(ERRORS[code].status).type('application/json; charset=utf-8')
      return JSON.stringify(errorBody(code))
    }
  })
}

export const durableWrites = fp(plugin, { name: 'vigil-durable-writes', dependencies: ['vigil-core'] })
