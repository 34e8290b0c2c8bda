/** The audit log (admin only): newest first, filterable, as JSON or CSV. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, AuditList, AuditQuery, Type } from '@vigil/protocol'
import type { AuditEntry } from '../../store/types.js'
import { type CsvColumn, toCsv } from '../csv.js'

const COLUMNS: CsvColumn<AuditEntry>[] = (
  ['ts', 'actor', 'action', 'target', 'ok', 'detail', 'ip'] as const
).map((key) => [key, (e: AuditEntry) => e[key]] as const)

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      onRequest: app.requireRole('admin'),
      schema: {
        tags: ['audit'],
        summary: 'Audit log, newest first (format=csv for a CSV export)',
        querystring: AuditQuery,
        response: {
          200: {
            description: 'the entries, or with ?format=csv the same as CSV (text/csv)',
            content: { 'application/json': { schema: AuditList }, 'text/csv': { schema: Type.String() } },
          },
          400: ApiError,
        },
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
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="vigil-audit.csv"')
          .send(toCsv(COLUMNS, entries))
      }
      return { entries }
    },
  )
}
