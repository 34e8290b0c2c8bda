/** The audit log (admin only): newest first, filterable, as JSON or CSV. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@vigil/protocol'
import type { AuditEntry } from '../../store/types.js'

const COLUMNS: (keyof AuditEntry)[] = ['ts', 'actor', 'action', 'target', 'ok', 'detail', 'ip']

/** RFC 4180 field, and never a spreadsheet formula (CSV injection). */
function csvField(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function toCsv(entries: AuditEntry[]): string {
  const lines = [COLUMNS.join(',')]
  for (const e of entries) lines.push(COLUMNS.map((c) => csvField(e[c])).join(','))
  return `${lines.join('\r\n')}\r\n`
}

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
        return toCsv(entries)
      }
      return { entries }
    },
  )
}
