/**
 * Vendor administration: `POST /api/v1/vendors` (admin) → `{id, token}`, keys, threshold, revocation,
 * rotation statements, and the trust bundle agents are provisioned with.
 */
import {
  ApiError,
  Type,
  VendorCreate,
  VendorCreated,
  VendorInfo,
  VendorKeyAdded,
  VendorKeyInput,
  VendorList,
  VendorPatch,
  VendorRotationUpload,
  VendorToken,
  VendorTrustBundle,
} from '@vigil/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HubError } from '../../errors.js'
import { auditedRefusal } from '../../http/audited-refusal.js'
import { refusal, sendRefusal, toHubError } from '../../refusal.js'
import { type VendorRecord, vendorTrust } from './db.js'
import { type VendorService, vendorView } from './service.js'

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
const KeyParams = Type.Object({ id: Type.String({ maxLength: 64 }), keyid: Type.String({ maxLength: 64 }) })

function actorOf(req: FastifyRequest): string {
  return req.user?.username ?? 'unknown'
}

/** The vendor named in the URL, if the caller may see it (staff, or the vendor itself). */
function visibleVendor(service: VendorService, req: FastifyRequest, id: string): VendorRecord {
  const v = service.get(id)
  const user = req.user
  if (!v || (user?.role === 'vendor' && user.vendorId !== v.id))
    throw new HubError('VIGIL_NOT_FOUND', `no vendor ${id}`)
  return v
}

export function vendorRoutes(service: VendorService) {
  return async (app: FastifyInstance) => {
    const admin = app.requireRole('admin')
    const anyone = app.requireRole()

    app.post(
      '/vendors',
      {
        onRequest: admin,
        schema: {
          body: VendorCreate,
          response: { 201: VendorCreated, 400: ApiError, 409: ApiError },
        },
      },
      async (req, reply) => {
        const body = req.body as { name: string; threshold?: number }
        const r = await service.create(body.name, body.threshold ?? 1, actorOf(req))
        if ('ok' in r) return sendRefusal(reply, r)
        return reply
          .code(201)
          .send({ id: r.vendor.id, name: r.vendor.name, threshold: r.vendor.threshold, token: r.token })
      },
    )

    app.get('/vendors', { onRequest: anyone, schema: { response: { 200: VendorList } } }, async (req) => {
      const user = req.user
      const all = service.list()
      const vendors = user?.role === 'vendor' ? all.filter((v) => v.id === user.vendorId) : all
      return { vendors: vendors.map(vendorView) }
    })

    const one = { params: IdParams, response: { 200: VendorInfo, 404: ApiError } }
    app.get('/vendors/:id', { onRequest: anyone, schema: one }, async (req) => {
      const { id } = req.params as { id: string }
      return vendorView(visibleVendor(service, req, id))
    })

    // What an agent is provisioned with: the vendor's keys, threshold and rotation sequence.
    const trust = { params: IdParams, response: { 200: VendorTrustBundle, 404: ApiError } }
    app.get('/vendors/:id/trust', { onRequest: anyone, schema: trust }, async (req) => {
      const { id } = req.params as { id: string }
      const v = visibleVendor(service, req, id)
      return { trust: vendorTrust(v), rotations: v.rotations.map((r) => r.envelope) }
    })

    app.patch(
      '/vendors/:id',
      {
        onRequest: admin,
        schema: {
          params: IdParams,
          body: VendorPatch,
          response: { 200: VendorInfo, 400: ApiError, 404: ApiError },
        },
      },
      async (req) => {
        const { id } = req.params as { id: string }
        const v = visibleVendor(service, req, id)
        return vendorView(
          await service.setThreshold(v, (req.body as { threshold: number }).threshold, actorOf(req)),
        )
      },
    )

    const token = { params: IdParams, response: { 200: VendorToken, 404: ApiError } }
    app.post('/vendors/:id/token', { onRequest: admin, schema: token }, async (req) => {
      const { id } = req.params as { id: string }
      return { id, token: await service.newToken(visibleVendor(service, req, id), actorOf(req)) }
    })

    app.post(
      '/vendors/:id/keys',
      {
        onRequest: admin,
        schema: {
          params: IdParams,
          body: VendorKeyInput,
          response: { 201: VendorKeyAdded, 400: ApiError, 404: ApiError, 409: ApiError },
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string }
        const v = visibleVendor(service, req, id)
        const r = await service.addKey(v, (req.body as { publicKeyPem: string }).publicKeyPem, actorOf(req))
        if ('ok' in r) return sendRefusal(reply, r)
        return reply.code(201).send(r)
      },
    )

    const revoke = async (req: FastifyRequest) => {
      const { id, keyid } = req.params as { id: string; keyid: string }
      const next = await service.revokeKey(visibleVendor(service, req, id), keyid, actorOf(req))
      if (!next) throw new HubError('VIGIL_NOT_FOUND', `vendor ${id} has no key ${keyid}`)
      return vendorView(next)
    }
    const key = { params: KeyParams, response: { 200: VendorInfo, 404: ApiError } }
    app.post('/vendors/:id/keys/:keyid/revoke', { onRequest: admin, schema: key }, revoke)
    app.delete('/vendors/:id/keys/:keyid', { onRequest: admin, schema: key }, revoke)

    // A rotation statement signed by the vendor's current keys: admin or the vendor itself may submit it.
    app.post(
      '/vendors/:id/rotations',
      {
        onRequest: app.requireRole('admin', 'vendor'),
        // A body that is no DSSE envelope is refused as the signing code would, and audited.
        ...auditedRefusal((req, reason) => {
          const { id } = req.params as { id: string }
          const r = refusal('MALFORMED_ENVELOPE', `not a DSSE envelope: ${reason}`)
          return toHubError(service.rotationRefused(visibleVendor(service, req, id), r, actorOf(req)))
        }),
        schema: {
          params: IdParams,
          body: VendorRotationUpload,
          response: { 201: VendorInfo, 400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError },
        },
        bodyLimit: 512 * 1024,
      },
      async (req, reply) => {
        const { id } = req.params as { id: string }
        const r = await service.rotate(visibleVendor(service, req, id), req.body, actorOf(req))
        if ('ok' in r) return sendRefusal(reply, r)
        return reply.code(201).send(vendorView(r))
      },
    )
  }
}
