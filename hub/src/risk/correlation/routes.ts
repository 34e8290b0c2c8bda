/**
 * Advisories over HTTP:
 *   POST /api/v1/advisories        an OSV record (or array), CSAF 2.0 document or KEV catalog → AdvisoryUploadResult
 *                                  (201 when something was imported or updated, 200 when nothing new; 400 with the reason)
 *   GET  /api/v1/advisories        ?q,source,kev,withdrawn,limit,offset → AdvisoryList
 *   GET  /api/v1/advisories/:id    AdvisoryDetail: what it names and the devices it matched
 * Admins upload anything; a vendor token only CSAF documents whose every product is that vendor's, and
 * reads only advisories about its own products, with the devices that claim to be its products
 * (vendor names normalised: case, punctuation, legal suffixes, acronyms, aliases).
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AdvisorySummary, FindingView } from '@vigil/protocol'
import {
  AdvisoryDetail,
  AdvisoryDocument,
  AdvisoryList,
  AdvisoryQuery,
  AdvisoryUploadResult,
  API_PREFIX,
  ApiError,
  Type,
} from '@vigil/protocol'
import type { FastifyRequest } from 'fastify'
import { HubError } from '../../errors.js'
import type { Advisory, VendorMatcher } from '../advisories/index.js'
import { isCsafDocument, normalizeCsaf } from '../advisories/normalize/csaf.js'
import type { CorrelationEngine } from './engine.js'
import type { AdvisoryService } from './service.js'

export interface AdvisoryRouteDeps {
  engine: CorrelationEngine
  service: AdvisoryService
  /** The risk register's findings (the register feature hands its `RiskRegister`). */
  register: { views(): FindingView[] }
  tempDir: string
}

/** Why a vendor may not publish this document (null: it may): CSAF only, every product its own. */
export function vendorRefusal(doc: unknown, vendorName: string, vendors: VendorMatcher): string | null {
  if (!isCsafDocument(doc)) return 'a vendor token may upload CSAF 2.0 documents only'
  const r = normalizeCsaf(doc, 'upload', vendors)
  if (!r.ok) return null // the import refuses it with the schema reason (400)
  const foreign = r.advisory.products.filter((p) => !vendors.same(p.vendor, vendorName))
  if (r.advisory.products.length === 0) return 'the document names no product of this vendor'
  const first = foreign[0]
  return first === undefined
    ? null
    : `a vendor token may publish advisories for its own products only (${first.vendor} is not ${vendorName})`
}

export const advisoryRoutes =
  (d: AdvisoryRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Vendors read too, limited to advisories about their own products and to their products' devices.
    const read = app.requireRole('admin', 'operator', 'technician', 'vendor')
    const vendorNameOf = async (req: FastifyRequest): Promise<string | undefined> => {
      const user = req.user
      if (user?.role !== 'vendor') return undefined
      // The vendor's name as the vendors API shows it to that vendor's own token.
      const own = await app.inject({
        method: 'GET',
        url: `${API_PREFIX}/vendors/${encodeURIComponent(user.vendorId ?? '')}`,
        headers: { authorization: req.headers.authorization ?? '' },
      })
      const name = own.statusCode === 200 ? own.json<{ name?: string }>().name : undefined
      return name ?? (user.vendorId ?? '').replace(/-/g, ' ')
    }
    const vendors = () => d.engine.advisories.vendors
    /** An advisory a vendor may read: it names products, all of them that vendor's. */
    const ownAdvisory = (a: Advisory, vendorName: string) =>
      a.products.length > 0 && a.products.every((p) => vendors().same(p.vendor, vendorName))
    /** A finding a vendor may see: on a device that says it is one of that vendor's products. */
    const ownDevice = (deviceId: string, vendorName: string) => {
      const claimed = app.hub.registry.get(deviceId)?.identity?.vendor
      return claimed !== undefined && vendors().same(claimed, vendorName)
    }
    const kevOf = (a: Advisory) => a.cves.some((c) => d.engine.enrichment.kev.has(c))

    const counts = () => {
      const out = new Map<string, FindingView[]>()
      for (const f of d.register.views()) {
        const list = out.get(f.advisory) ?? []
        list.push(f)
        out.set(f.advisory, list)
      }
      return out
    }
    const summary = (a: Advisory, findings: FindingView[] = []): AdvisorySummary => ({
      id: a.id,
      source: a.source,
      revision: a.revision,
      title: a.title,
      cves: a.cves,
      severity: a.severity,
      score: a.score,
      withdrawn: a.withdrawn,
      kev: kevOf(a),
      packages: a.packages.length,
      products: a.products.length,
      findings: findings.filter((f) => f.state !== 'resolved').length,
    })

    // The 32 MiB limit applies only once onRequest has authenticated an uploader: nobody else's body is read.
    const uploader = app.requireRole('admin', 'vendor')
    app.post(
      '/advisories',
      {
        onRequest: uploader,
        bodyLimit: 32 * 1024 * 1024,
        schema: {
          body: AdvisoryDocument,
          response: {
            200: { ...AdvisoryUploadResult, description: 'nothing new in the document' },
            201: { ...AdvisoryUploadResult, description: 'something imported or updated' },
            400: ApiError,
            403: ApiError,
          },
        },
      },
      async (req, reply) => {
        const user = req.user
        if (!user) throw new HubError('VIGIL_UNAUTHENTICATED')
        if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
          throw new HubError('VIGIL_BAD_REQUEST', 'body must be a JSON advisory document')
        }
        const vendorName = await vendorNameOf(req)
        if (vendorName !== undefined) {
          const refusal = vendorRefusal(req.body, vendorName, d.engine.advisories.vendors)
          if (refusal !== null) throw new HubError('VIGIL_FORBIDDEN', refusal)
        }
        const s = await d.service.importDocument(JSON.stringify(req.body), d.tempDir)
        const first = s.rejected[0]
        if (first !== undefined) throw new HubError('VIGIL_BAD_REQUEST', first.reason)
        app.hub.audit({
          actor: user.username,
          action: 'advisory.import',
          target: [...s.imported, ...s.updated].join(',') || undefined,
          ok: true,
          detail: `imported ${s.imported.length}, updated ${s.updated.length}, skipped ${s.skipped.length}, kev ${s.kev.size}`,
        })
        const result: AdvisoryUploadResult = {
          imported: s.imported,
          updated: s.updated,
          skipped: s.skipped.map((i) => ({ reason: i.reason })),
          kev: s.kev.size,
        }
        return reply.code(s.imported.length + s.updated.length + s.kev.size > 0 ? 201 : 200).send(result)
      },
    )

    app.get(
      '/advisories',
      {
        onRequest: read,
        schema: { querystring: AdvisoryQuery, response: { 200: AdvisoryList, 400: ApiError } },
      },
      async (req) => {
        const { q, source, kev, withdrawn } = req.query
        const needle = q?.toLowerCase()
        const vendorName = await vendorNameOf(req)
        const byAdvisory = counts()
        if (vendorName !== undefined)
          for (const [id, list] of byAdvisory)
            byAdvisory.set(
              id,
              list.filter((f) => ownDevice(f.deviceId, vendorName)),
            )
        const all = [...d.engine.advisories.all()]
          .filter(
            (a) =>
              (vendorName === undefined || ownAdvisory(a, vendorName)) &&
              (source === undefined || a.source === source) &&
              (kev === undefined || kevOf(a) === kev) &&
              (withdrawn === undefined || a.withdrawn === withdrawn) &&
              (needle === undefined ||
                [a.id, a.title, ...a.cves, ...a.aliases].some((s) => s.toLowerCase().includes(needle))),
          )
          .sort((a, b) => a.id.localeCompare(b.id))
        const offset = req.query.offset ?? 0
        return {
          advisories: all
            .slice(offset, offset + (req.query.limit ?? 200))
            .map((a) => summary(a, byAdvisory.get(a.id))),
          total: all.length,
        }
      },
    )

    app.get(
      '/advisories/:id',
      {
        onRequest: read,
        schema: {
          params: Type.Object({ id: Type.String({ maxLength: 256 }) }),
          response: { 200: AdvisoryDetail, 404: ApiError },
        },
      },
      async (req) => {
        const a = d.engine.advisories.get(req.params.id)
        const vendorName = await vendorNameOf(req)
        if (!a || (vendorName !== undefined && !ownAdvisory(a, vendorName)))
          throw new HubError('VIGIL_NOT_FOUND', `no advisory ${req.params.id}`)
        const findings = d.register
          .views()
          .filter(
            (f) => f.advisory === a.id && (vendorName === undefined || ownDevice(f.deviceId, vendorName)),
          )
        const detail: AdvisoryDetail = {
          ...summary(a, findings),
          aliases: a.aliases,
          affects: [
            ...a.packages.map((p) => ({
              kind: `${p.ecosystem}${p.release ? `:${p.release}` : ''}`,
              name: p.name,
              affected: p.affected,
              fixed: p.fixed,
            })),
            ...a.products.map((p) => ({
              kind: 'product',
              name: `${p.vendor} ${p.product}`,
              affected: p.versionRaw,
              fixed: null,
            })),
          ],
          devices: findings.map((f) => ({
            deviceId: f.deviceId,
            deviceName: f.deviceName,
            findingId: f.id,
            component: f.component.name,
            installed: f.component.version,
            affected: f.affected,
            fixed: f.fixed,
            confidence: f.confidence,
            state: f.state,
          })),
        }
        return detail
      },
    )
  }
