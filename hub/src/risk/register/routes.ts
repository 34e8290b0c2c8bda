/**
 * The register's HTTP API. Operators and admins act; technicians read; vendors have no access.
 *   GET  /api/v1/findings                 ?state,severity,kev,overdue,device,advisory,owner,limit,offset → FindingList
 *   GET  /api/v1/findings/export          same filters, ?format=json|csv (attachment)
 *   GET  /api/v1/findings/:id             FindingView & {history}
 *   GET  /api/v1/findings/:id/history     {history: FindingHistoryEntry[]} newest first
 *   POST /api/v1/findings/:id/transition  FindingTransition (If-Match: "<version>") → FindingView | 409 {current}
 *   POST /api/v1/findings/bulk            BulkTransition (versions) → BulkResult, all or nothing | 409 {current}
 *   GET|PUT /api/v1/register/sla          SlaPolicy
 *   GET  /api/v1/vex                      CycloneDX 1.6 VEX of the fleet's decisions (?device=)
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ApiConflict,
  ApiError,
  BulkResult,
  BulkTransition,
  CycloneDxDocument,
  FindingDetail,
  FindingExport,
  FindingHistory,
  FindingList,
  FindingQuery,
  FindingTransition,
  FindingView,
  SlaPolicy,
  Type,
  VexQuery,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import { conflictAsHttp, etag, ifMatch } from '../../http/if-match.js'
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
    /** A finding as it is now (a 409 answers it), null when it is gone. */
    const current = (c: { id: string }) => {
      const view = register.get(c.id)
      return view ? decorate(view) : null
    }

    const query = (q: FindingQuery) => {
      register.sweep()
      const list = filterFindings(register.views(q.device), q)
      return q.sort === 'decision' ? sortByDecision(list) : sortFindings(list)
    }

    app.get(
      '/findings',
      {
        onRequest: read,
        schema: { querystring: FindingQuery, response: { 200: FindingList, 400: ApiError } },
      },
      async (req) => {
        const all = query(req.query)
        const offset = req.query.offset ?? 0
        return {
          findings: all.slice(offset, offset + (req.query.limit ?? 500)).map(decorate),
          total: all.length,
        }
      },
    )

    app.get(
      '/findings/export',
      {
        onRequest: read,
        schema: {
          querystring: FindingQuery,
          response: {
            200: {
              description: 'JSON, or with ?format=csv the same findings as CSV (text/csv)',
              content: {
                'application/json': { schema: FindingExport },
                'text/csv': { schema: Type.String() },
              },
            },
            400: ApiError,
          },
        },
      },
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

    app.get(
      '/findings/:id',
      { onRequest: read, schema: { params: IdParams, response: { 200: FindingDetail, 404: ApiError } } },
      async (req, reply) => {
        register.sweep()
        const view = register.get(req.params.id)
        if (!view) throw new HubError('VIGIL_NOT_FOUND', `no finding ${req.params.id}`)
        etag(reply, view.version)
        return { ...decorate(view), history: await register.history(req.params.id) }
      },
    )

    app.get(
      '/findings/:id/history',
      { onRequest: read, schema: { params: IdParams, response: { 200: FindingHistory, 404: ApiError } } },
      async (req) => {
        if (!register.get(req.params.id)) throw new HubError('VIGIL_NOT_FOUND', `no finding ${req.params.id}`)
        return { history: await register.history(req.params.id) }
      },
    )

    app.post(
      '/findings/:id/transition',
      {
        onRequest: act,
        schema: {
          params: IdParams,
          body: FindingTransition,
          response: { 200: FindingView, 400: ApiError, 404: ApiError, 409: ApiConflict },
        },
      },
      async (req, reply) => {
        register.sweep()
        const version = ifMatch(req)
        const view = await conflictAsHttp(
          () => register.decide(req.params.id, req.body, who(req.user), version),
          current,
        )
        etag(reply, view.version)
        return decorate(view)
      },
    )

    // All or nothing (BulkTransition): refusals leave every finding unchanged; a stale version is 409.
    app.post(
      '/findings/bulk',
      {
        onRequest: act,
        schema: { body: BulkTransition, response: { 200: BulkResult, 400: ApiError, 409: ApiConflict } },
      },
      async (req) => {
        register.sweep()
        const ids = [...new Set(req.body.ids)]
        return conflictAsHttp(
          () => register.decideMany(ids, req.body.transition, who(req.user), req.body.versions),
          current,
        )
      },
    )

    app.get(
      '/register/sla',
      { onRequest: read, schema: { response: { 200: SlaPolicy } } },
      async () => register.sla,
    )

    app.put(
      '/register/sla',
      { onRequest: act, schema: { body: SlaPolicy, response: { 200: SlaPolicy, 400: ApiError } } },
      async (req) => {
        register.setSla(req.body, who(req.user))
        return register.sla
      },
    )

    app.get(
      '/vex',
      {
        onRequest: read,
        schema: {
          querystring: VexQuery,
          response: { 200: CycloneDxDocument },
        },
      },
      async (req, reply) => {
        register.sweep()
        const doc = vexDocument(register.views(req.query.device), register.now())
        return reply.header('content-type', 'application/vnd.cyclonedx+json; version=1.6').send(doc)
      },
    )
  }
