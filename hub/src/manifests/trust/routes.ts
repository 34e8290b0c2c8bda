/**
 * The operator root of trust over HTTP (admin): install a root or the next one, publish a delegation,
 * fetch the unsigned delegation of a vendor's current keys to sign, and see what devices hold.
 * Statements are signed off the hub (`vigil-hub trust …` or openssl); the hub only checks and relays.
 */
import {
  ApiError,
  DsseEnvelope,
  PendingDelegationQuery,
  TrustDelegationAccepted,
  TrustDeviceList,
  TrustPendingDelegation,
  TrustRootAccepted,
  TrustView,
} from '@vigil/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HubError } from '../../errors.js'
import { sendRefusal } from '../../refusal.js'
import type { VendorRecord } from '../vendors/db.js'
import type { TrustDistribution } from './distribution.js'
import { TrustService } from './service.js'

const actorOf = (req: FastifyRequest) => req.user?.username ?? 'unknown'
const refusals = {
  400: ApiError,
  401: ApiError,
  403: ApiError,
  404: ApiError,
  409: ApiError,
  415: ApiError,
  422: ApiError,
}

/** The shell-quoted `vigil-hub trust delegate` command for a vendor. */
export function delegateCommand(vendor: string): string {
  return `vigil-hub trust delegate --vendor '${vendor.replaceAll("'", `'\\''`)}' --key root-1.pem --key root-2.pem --hub <hub URL> --token=<admin token>`
}

export function trustRoutes(
  service: TrustService,
  distribution: TrustDistribution,
  vendors: () => readonly VendorRecord[],
) {
  return async (app: FastifyInstance) => {
    const admin = app.requireRole('admin')
    const staff = app.requireRole('admin', 'operator')

    app.get(
      '/trust',
      { onRequest: staff, schema: { response: { 200: TrustView, 401: ApiError, 403: ApiError } } },
      async () => service.view(),
    )

    app.post(
      '/trust/root',
      {
        onRequest: admin,
        schema: {
          body: DsseEnvelope,
          response: { 200: TrustRootAccepted, 201: TrustRootAccepted, ...refusals },
        },
      },
      async (req, reply) => {
        const r = await service.installRoot(req.body, actorOf(req))
        if (!r.ok) return sendRefusal(reply, r)
        const devices = r.unchanged ? 0 : await distribution.sendToOnline()
        return reply
          .code(r.unchanged ? 200 : 201)
          .send({ version: r.record.version, fingerprint: r.record.fingerprint, devices })
      },
    )

    app.post(
      '/trust/delegations',
      {
        onRequest: admin,
        schema: {
          body: DsseEnvelope,
          response: { 200: TrustDelegationAccepted, 201: TrustDelegationAccepted, ...refusals },
        },
      },
      async (req, reply) => {
        const r = await service.publishDelegation(req.body, actorOf(req))
        if (!r.ok) return sendRefusal(reply, r)
        const devices = r.unchanged ? 0 : await distribution.sendToOnline()
        return reply
          .code(r.unchanged ? 200 : 201)
          .send({ vendor: r.record.id, version: r.record.version, unchanged: r.unchanged, devices })
      },
    )

    app.get(
      '/trust/delegations/pending',
      {
        onRequest: admin,
        schema: {
          querystring: PendingDelegationQuery,
          response: { 200: TrustPendingDelegation, ...refusals },
        },
      },
      async (req) => {
        const { vendor: name } = req.query as { vendor: string }
        const vendor = vendors().find((v) => v.name === name || v.id === name)
        if (!vendor) throw new HubError('VIGIL_NOT_FOUND', `no vendor named "${name}"`)
        const p = service.pending(vendor)
        return {
          vendor: vendor.name,
          upToDate: p.upToDate,
          ...(p.held !== undefined ? { held: p.held } : {}),
          payload: p.payload,
          payloadText: TrustService.payloadText(p.payload),
          command: delegateCommand(vendor.name),
        }
      },
    )

    app.get(
      '/trust/devices',
      { onRequest: staff, schema: { response: { 200: TrustDeviceList, 401: ApiError, 403: ApiError } } },
      async () => ({
        devices: app.hub.registry.all().map((d) => {
          const report = distribution.reports.get(d.id)
          const root = report?.root ?? d.trust?.root?.version
          return {
            deviceId: d.id,
            name: d.name,
            ...(root !== undefined ? { root } : {}),
            delegations: { ...(d.trust?.delegations ?? {}), ...(report?.delegations ?? {}) },
            refused: report?.refused ?? [],
            ...(report ? { reportedAt: report.at } : {}),
          }
        }),
      }),
    )
  }
}
