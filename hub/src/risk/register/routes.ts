/**
 * The register's HTTP API. Operators and admins act; technicians read; vendors have no access.
 *   GET  /api/v1/findings                 ?state,severity,kev,overdue,device,advisory,owner,limit,offset → FindingList
 *   GET  /api/v1/findings/export          same filters, ?format=json|csv (attachment)
 *   GET  /api/v1/findings/:id             FindingView & {history}
 *   GET  /api/v1/findings/:id/history     {history: FindingHistoryEntry[]} newest first
 *   POST /api/v1/findings/:id/transition  FindingTransition → FindingView
 *   POST /api/v1/findings/bulk            BulkTransition → BulkResult
 *   GET|PUT /api/v1/register/sla          SlaPolicy
 *   GET  /api/v1/vex                      CycloneDX 1.6 VEX of the fleet's decisions (?device=)
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  type BulkResult,
  BulkTransition,
  FindingQuery,
  FindingTransition,
  type FindingView,
  SlaPolicy,
  Type,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import { filterFindings, findingsCsv, sortByDecision, sortFindings } from './export.js'
import type { RiskRegister } from './register.js'
import { vexDocument } from './vex.js'

const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) })

/** `decorate` adds what other features know about a finding (its `patch`) to what the routes answer. */
export const registerRoutes =
  (register: RiskRegister, decorate: (f: FindingView) => FindingView = (f) => f): FastifyPluginAsyncTypebox =>
  async (app) => {
    const read = app.requireRole('admin', 'operator', 'technician')
    const act = app.requireRole('admin', 'operator')
    const who = (user: { username: string } | null) => user?.username ?? 'unknown'

    const query = (q: FindingQuery) => {
      register.sweep()
      const list = filterFindings(register.views(q.device), q)
      return q.sort === 'decision' ? sortByDecision(list) : sortFindings(list)
    }

    app.get('/api/v1/findings', { onRequest: read, schema: { querystring: FindingQuery } }, async (req) => {
      const all = query(req.query)
      const offset = req.query.offset ?? 0
      return {
        findings: all.slice(offset, offset + (req.query.limit ?? 500)).map(decorate),
        total: all.length,
      }
    })

    app.get(
      '/api/v1/findings/export',
      { onRequest: read, schema: { querystring: FindingQuery } },
      async (req, reply) => {
        const all = query(req.query)
        const stamp = register.now().toISOString().slice(0, 10)
        if (req.query.format === 'csv') {
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="vigil-findings-${stamp}.csv"`)
            .send(findingsCsv(all))
        }
        return reply
          .header('content-disposition', `attachment; filename="vigil-findings-${stamp}.json"`)
          .send({ generatedAt: register.now().toISOString(), findings: all.map(decorate), total: all.length })
      },
    )

    app.get('/api/v1/findings/:id', { onRequest: read, schema: { params: IdParams } }, async (req) => {
      register.sweep()
      const view = register.get(req.params.id)
      if (!view) throw new HubError('VIGIL_NOT_FOUND', `no finding ${req.params.id}`)
      return { ...decorate(view), history: await register.history(req.params.id) }
    })

    app.get(
      '/api/v1/findings/:id/history',
      { onRequest: read, schema: { params: IdParams } },
      async (req) => {
        if (!register.get(req.params.id)) throw new HubError('VIGIL_NOT_FOUND', `no finding ${req.params.id}`)
        return { history: await register.history(req.params.id) }
      },
    )

    app.post(
      '/api/v1/findings/:id/transition',
      { onRequest: act, schema: { params: IdParams, body: FindingTransition } },
      async (req) => {
        register.sweep()
        return decorate(register.transition(req.params.id, req.body, who(req.user)))
      },
    )

    app.post('/api/v1/findings/bulk', { onRequest: act, schema: { body: BulkTransition } }, async (req) => {
      register.sweep()
      const result: BulkResult = { updated: [], failed: [] }
      for (const id of new Set(req.body.ids)) {
        try {
          register.transition(id, req.body.transition, who(req.user))
          result.updated.push(id)
        } catch (err) {
          if (!(err instanceof HubError)) throw err
          result.failed.push({ id, code: err.code, message: err.message })
        }
      }
      return result
    })

    app.get('/api/v1/register/sla', { onRequest: read }, async () => register.sla)

    app.put('/api/v1/register/sla', { onRequest: act, schema: { body: SlaPolicy } }, async (req) => {
      register.setSla(req.body, who(req.user))
      return register.sla
    })

    app.get(
      '/api/v1/vex',
      { onRequest: read, schema: { querystring: Type.Object({ device: Type.Optional(Type.String()) }) } },
      async (req, reply) => {
        register.sweep()
        const doc = vexDocument(register.views(req.query.device), register.now())
        return reply.header('content-type', 'application/vnd.cyclonedx+json; version=1.6').send(doc)
      },
    )
  }
