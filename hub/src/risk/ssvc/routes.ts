/**
 * Asset context and SSVC overrides over HTTP (issue 17). Staff read, operators and admins write;
 * vendors (outsiders) see none of it.
 *   GET  /api/v1/devices/:id/context          DeviceContextView
 *   GET  /api/v1/device-contexts              DeviceContextList (every device's effective context)
 *   POST /api/v1/devices/context/bulk         BulkContext → BulkContextResult
 *   POST /api/v1/devices/context/import       ContextImport (CSV + mapping, dryRun default true, versions) → ContextImportResult | 409
 *   GET  /api/v1/device-models/context        ModelContextList
 *   PUT  /api/v1/device-models/context        ModelContext → ModelContext (the stored default)
 *   POST /api/v1/findings/:id/ssvc-override   SsvcOverride (If-Match: the finding's version) → FindingView | 409
 * `PATCH /api/v1/devices/:id` with `context` is served by the devices routes through `app.assetContext`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ApiConflict,
  ApiError,
  BulkContext,
  BulkContextResult,
  ContextImport,
  ContextImportResult,
  DeviceContextList,
  DeviceContextView,
  FindingView,
  ModelContext,
  ModelContextList,
  SsvcOverride,
  Type,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import { conflictAsHttp, etag, ifMatch } from '../../http/if-match.js'
import type { Collection } from '../../store/types.js'
import type { ContextService } from './service.js'

const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) })

export const riskRoutes =
  (
    service: ContextService,
    register: {
      get(id: string): FindingView | undefined
      writeIf<R>(expected: { id: string; version: number }[], job: () => R): Promise<R>
      touch(id: string): void
    },
    decorate: (f: FindingView) => FindingView,
  ): FastifyPluginAsyncTypebox =>
  async (app) => {
    const read = app.requireRole('admin', 'operator', 'technician')
    const act = app.requireRole('admin', 'operator')
    const who = (req: { user?: { username: string } | null }) => req.user?.username ?? 'unknown'
    const tags = ['risk']

    app.get(
      '/devices/:id/context',
      {
        onRequest: read,
        schema: {
          tags,
          params: IdParams,
          response: { 200: DeviceContextView, 401: ApiError, 404: ApiError },
        },
      },
      async (req) => service.view(req.params.id),
    )

    app.get(
      '/device-contexts',
      { onRequest: read, schema: { tags, response: { 200: DeviceContextList, 401: ApiError } } },
      async () => ({ contexts: app.hub.registry.all().map((d) => service.view(d.id)) }),
    )

    app.post(
      '/devices/context/bulk',
      {
        onRequest: act,
        bodyLimit: 1024 * 1024,
        schema: {
          tags,
          body: BulkContext,
          response: { 200: BulkContextResult, 400: ApiError, 404: ApiError },
        },
      },
      async (req) => service.bulk(req.body, who(req)),
    )

    app.post(
      '/devices/context/import',
      {
        onRequest: act,
        bodyLimit: 6 * 1024 * 1024,
        schema: {
          tags,
          body: ContextImport,
          response: { 200: ContextImportResult, 400: ApiError, 409: ApiConflict },
        },
      },
      async (req) => {
        // `versions` (device id → the version the operator saw): the import is applied only if every
        // device named is still at it, all or nothing, one step with the check; else 409 with the
        // current contexts.
        const versions = req.body.versions
        if (versions === undefined || (req.body.dryRun ?? true)) return service.import(req.body, who(req))
        const expected = Object.entries(versions).map(([id, version]) => ({ id, version }))
        return conflictAsHttp(
          () =>
            app.hub.store.writeIf(app.hub.store.devices as Collection<{ id: string }>, expected, () =>
              service.import(req.body, who(req)),
            ),
          (c) => (app.hub.registry.get(c.id) ? service.view(c.id) : null),
        )
      },
    )

    app.get(
      '/device-models/context',
      { onRequest: read, schema: { tags, response: { 200: ModelContextList, 401: ApiError } } },
      async () => ({ models: service.models() }),
    )

    app.put(
      '/device-models/context',
      {
        onRequest: act,
        bodyLimit: 16 * 1024,
        schema: { tags, body: ModelContext, response: { 200: ModelContext, 400: ApiError } },
      },
      async (req) => {
        service.setModel(req.body, who(req))
        const held = service.models().find((m) => m.vendor === req.body.vendor && m.model === req.body.model)
        return held ?? { vendor: req.body.vendor, model: req.body.model, context: {} }
      },
    )

    app.post(
      '/findings/:id/ssvc-override',
      {
        onRequest: act,
        bodyLimit: 16 * 1024,
        schema: {
          tags,
          params: IdParams,
          body: SsvcOverride,
          response: { 200: FindingView, 400: ApiError, 404: ApiError, 409: ApiConflict },
        },
      },
      async (req, reply) => {
        // With If-Match (the finding's version) the override is one step with the check: 409 with the
        // current finding when it changed since.
        const version = ifMatch(req)
        const override = () => {
          service.override(req.params.id, req.body, who(req))
          register.touch(req.params.id)
        }
        if (version === undefined) override()
        else
          await conflictAsHttp(
            () => register.writeIf([{ id: req.params.id, version }], override),
            (c) => {
              const now = register.get(c.id)
              return now ? decorate(now) : null
            },
          )
        const view = register.get(req.params.id)
        if (view === undefined) throw new HubError('VIGIL_NOT_FOUND', `no finding ${req.params.id}`)
        etag(reply, view.version)
        return decorate(view)
      },
    )
  }
