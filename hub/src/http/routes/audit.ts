/** The audit log (admin only): newest first, filterable, as JSON or CSV. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@vigil/protocol'
import type { AuditEntry } from '../../store/types.js'
import { type CsvColumn, toCsv } from '../csv.js'

const COLUMNS: CsvColumn<AuditEntry>[] = (
  ['ts', 'actor', 'action', 'target', 'ok', 'detail', 'ip'] as const
).map((key) => [key, (e: AuditEntry) => e[key]] as const)

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/audit',
    {
      onRequest: app.requireRole('admin'),
      schema: {
        tags: ['audit'],
        summary: 'Audit log, newest first (format=csv for a CSV export)',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          actor: Type.Optional(Type.String({ maxLength: 128 })),
          format: Type.Optional(Type.Enum(['json', 'csv'])),
        }),
      },
    },
    async (req, reply) => {
      const { limit = 100, offset = 0, action, actor, format = 'json' } = req.query
      const entries = await app.hub.store.audit.read({
        limit,
        offset,
        filter: (e) => (!action || e.action.startsWith(action)) && (!actor || e.actor === actor),
      })
      if (format === 'csv') {
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="vigil-audit.csv"')
        return toCsv(COLUMNS, entries)
      }
      return { entries }
    },
  )
}
