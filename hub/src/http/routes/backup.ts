/**
 * `GET /api/v1/admin/backup` (admin): a consistent backup of the running hub's data directory as a
 * gzip'd tar, for `vigil-hub backup FILE` (or curl). Audited.
 */

import { join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, BinaryFile } from '@vigil/protocol'
import { HubError } from '../../errors.js'
import { backupStream } from '../../store/backup.js'
import { LowdbStore } from '../../store/lowdb-store.js'

export const backupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = app.hub
  app.get(
    '/admin/backup',
    {
      onRequest: app.requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'A consistent backup of the data directory (tar.gz)',
        response: {
          200: {
            description: 'the backup (tar.gz)',
            content: { 'application/gzip': { schema: BinaryFile } },
          },
          501: ApiError,
        },
      },
    },
    async (req, reply) => {
      const store = hub.store
      if (!(store instanceof LowdbStore))
        throw new HubError('VIGIL_NOT_AVAILABLE', 'this storage engine is backed up with its own tools')
      const stream = await backupStream(store, join(hub.config.dataDir, 'tmp'))
      hub.audit({ actor: req.user?.username ?? '', action: 'store.backup', ok: true, ip: req.ip })
      const name = `vigil-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(stream)
    },
  )
}
