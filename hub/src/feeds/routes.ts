/**
 * Feeds over HTTP (admin only, other roles 403):
 *   GET    /api/v1/feeds            → FeedList
 *   POST   /api/v1/feeds            FeedCreate → 201 FeedView
 *   PATCH  /api/v1/feeds/:id        FeedPatch → FeedView
 *   DELETE /api/v1/feeds/:id        → 204 (a sync under way is aborted)
 *   POST   /api/v1/feeds/:id/sync   → 202 FeedView (the sync runs on; `running` shows its progress)
 *   GET    /api/v1/feeds/status     → AdvisoryStatus (any staff role: posture pages show its notice)
 *   POST   /api/v1/feeds/export     {feeds?: id[]} → application/zip: an offline bundle (default: enabled feeds)
 *   POST   /api/v1/feeds/bundle     application/zip (a bundle) → BundleResult
 *   POST   /api/v1/advisories/import  AdvisoryFilesUpload → AdvisoryFilesResult (files or zips, per-file results)
 */
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdvisoryFilesResult,
  AdvisoryFilesUpload,
  AdvisoryStatus,
  ApiError,
  BinaryFile,
  BundleResult,
  FeedCreate,
  FeedExportRequest,
  FeedList,
  FeedPatch,
  FeedView,
  NoContent,
  Type,
} from '@vigil/protocol'
import { HubError } from '../errors.js'
import { emptyBodyIfNone, OPTIONAL_BODY } from '../http/optional-body.js'
import type { AdvisoryIntake, FeedService } from './service.js'
import { importFiles } from './upload.js'

/** Largest bundle accepted by upload (a whole OSV ecosystem or three). */
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024 * 1024

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const feedRoutes =
  (service: FeedService, intake: AdvisoryIntake, tempDir: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    // A bundle is streamed to disk, never parsed in memory.
    app.addContentTypeParser('application/zip', (_req, payload, done) => done(null, payload))
    const admin = app.requireRole('admin')
    const staff = app.requireRole('admin', 'operator', 'technician')
    const actor = (u: { username: string } | null | undefined) => u?.username ?? 'unknown'
    const found = (id: string) => {
      const f = service.get(id)
      if (!f) throw new HubError('VIGIL_NOT_FOUND', `no feed ${id}`)
      return f
    }

    app.get('/feeds', { onRequest: admin, schema: { response: { 200: FeedList } } }, async () => ({
      feeds: service.list(),
    }))

    app.get('/feeds/status', { onRequest: staff, schema: { response: { 200: AdvisoryStatus } } }, async () =>
      service.status(),
    )

    app.post(
      '/feeds',
      { onRequest: admin, schema: { body: FeedCreate, response: { 201: FeedView } } },
      async (req, reply) => {
        if (req.body.kind === 'osv' && (req.body.ecosystems ?? []).length === 0)
          throw new HubError('VIGIL_BAD_REQUEST', 'an osv feed needs ecosystems (e.g. ["Debian"])')
        const f = service.create(req.body)
        app.hub.audit({
          actor: actor(req.user),
          action: 'feed.create',
          target: f.id,
          ok: true,
          detail: `${f.kind} ${f.url}`,
        })
        return reply.code(201).send(service.view(f))
      },
    )

    app.patch(
      '/feeds/:id',
      { onRequest: admin, schema: { params: IdParams, body: FeedPatch, response: { 200: FeedView } } },
      async (req) => {
        found(req.params.id)
        const f = service.update(req.params.id, req.body)
        if (!f) throw new HubError('VIGIL_NOT_FOUND', `no feed ${req.params.id}`)
        app.hub.audit({
          actor: actor(req.user),
          action: 'feed.update',
          target: f.id,
          ok: true,
          detail: JSON.stringify(req.body),
        })
        return service.view(f)
      },
    )

    app.delete(
      '/feeds/:id',
      { onRequest: admin, schema: { params: IdParams, response: { 204: NoContent, 404: ApiError } } },
      async (req, reply) => {
        found(req.params.id)
        service.remove(req.params.id)
        app.hub.audit({ actor: actor(req.user), action: 'feed.delete', target: req.params.id, ok: true })
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/feeds/:id/sync',
      { onRequest: admin, schema: { params: IdParams, response: { 202: FeedView } } },
      async (req, reply) => {
        const f = found(req.params.id)
        service.startSync(f.id).catch(() => {})
        app.hub.audit({ actor: actor(req.user), action: 'feed.sync', target: f.id, ok: true })
        return reply.code(202).send(service.view(f))
      },
    )

    app.post(
      '/advisories/import',
      {
        onRequest: admin,
        bodyLimit: 256 * 1024 * 1024,
        schema: { body: AdvisoryFilesUpload, response: { 200: AdvisoryFilesResult } },
      },
      async (req) => {
        const files = req.body.files.map((f) => ({ name: f.name, data: Buffer.from(f.data, 'base64') }))
        const result = await importFiles(files, intake, tempDir)
        app.hub.audit({
          actor: actor(req.user),
          action: 'advisory.import',
          ok: result.refused === 0,
          detail: `${files.length} files: imported ${result.imported}, updated ${result.updated}, refused ${result.refused}`,
        })
        return result
      },
    )

    app.post(
      '/feeds/export',
      {
        onRequest: admin,
        // The body is optional: none is an empty one (every enabled feed).
        preValidation: emptyBodyIfNone,
        schema: {
          [OPTIONAL_BODY]: true,
          body: FeedExportRequest,
          response: {
            200: {
              description: 'the feed bundle (zip)',
              content: { 'application/zip': { schema: BinaryFile } },
            },
            400: ApiError,
          },
        },
      },
      async (req, reply) => {
        const file = join(tempDir, `export-${randomUUID()}.zip`)
        const feeds = await service.exportBundle(file, req.body?.feeds)
        app.hub.audit({
          actor: actor(req.user),
          action: 'feed.export',
          ok: true,
          detail: `${feeds.length} feeds`,
        })
        const size = (await stat(file)).size
        const stream = createReadStream(file)
        stream.on('close', () => {
          void rm(file, { force: true })
        })
        return reply
          .type('application/zip')
          .header('content-length', size)
          .header('content-disposition', 'attachment; filename="vigil-feeds-bundle.zip"')
          .send(stream)
      },
    )

    app.post(
      '/feeds/bundle',
      { onRequest: admin, bodyLimit: MAX_BUNDLE_BYTES, schema: { response: { 200: BundleResult } } },
      async (req) => {
        if (req.headers['content-type'] !== 'application/zip')
          throw new HubError('VIGIL_BAD_REQUEST', 'send the bundle as application/zip')
        const file = join(tempDir, `bundle-${randomUUID()}.zip`)
        try {
          let size = 0
          const bounded = async function* (source: Readable) {
            for await (const chunk of source) {
              size += (chunk as Buffer).length
              if (size > MAX_BUNDLE_BYTES)
                throw new HubError(
                  'VIGIL_PAYLOAD_TOO_LARGE',
                  `a bundle may be at most ${MAX_BUNDLE_BYTES} bytes`,
                )
              yield chunk as Buffer
            }
          }
          await pipeline(req.body as Readable, bounded, createWriteStream(file))
          let result: BundleResult
          try {
            result = await service.applyBundle(file)
          } catch (err) {
            throw new HubError('VIGIL_BAD_REQUEST', (err as Error).message)
          }
          app.hub.audit({
            actor: actor(req.user),
            action: 'feed.bundle',
            ok: result.feeds.every((f) => f.result.ok),
            detail: result.feeds.map((f) => `${f.name}: +${f.result.added} ~${f.result.updated}`).join('; '),
          })
          return result
        } finally {
          await rm(file, { force: true })
        }
      },
    )
  }
