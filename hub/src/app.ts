/**
 * Builds the hub: a fastify instance with the store, broker, realtime stream and features as plugins
 * (closed in onClose). Listening is `server.ts`'s job, so tests can `inject()` without a port.
 */

import { readFile } from 'node:fs/promises'
import fastifyCookie from '@fastify/cookie'
import fastifyHelmet from '@fastify/helmet'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { API_PREFIX } from '@vigil/protocol'
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify'
import { brokerPlugin } from './broker/plugin.js'
import type { HubConfig } from './config.js'
import { corePlugin } from './core.js'
import { ERRORS, type ErrorCode, errorBody, HubError } from './errors.js'
import { FEATURE_PLUGINS } from './features.js'
import { authPlugin } from './http/auth.js'
import { registerDashboard } from './http/dashboard.js'
import { durableWrites } from './http/durable-writes.js'
import { lazySerializerCompiler } from './http/lazy-serializer.js'
import { lazyValidatorCompiler } from './http/lazy-validator.js'
import { markOptionalBodies } from './http/optional-body.js'
import { responseCheck } from './http/response-check.js'
import { inlineResponseSchemas } from './http/response-schemas.js'
import { auditRoutes } from './http/routes/audit.js'
import { backupRoutes } from './http/routes/backup.js'
import { deviceRoutes } from './http/routes/devices.js'
import { enrollmentRoutes } from './http/routes/enrollment.js'
import { healthRoutes } from './http/routes/health.js'
import { sessionRoutes } from './http/routes/session.js'
import { userRoutes } from './http/routes/users.js'
import { realtimePlugin } from './realtime/plugin.js'
import { VersionConflictError } from './store/conditional.js'
import { StorageError } from './store/errors.js'

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'VIGIL_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'VIGIL_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VIGIL_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VIGIL_BAD_REQUEST',
}

/** `trustProxy` as fastify takes it: `true`, a hop count, or the proxies' addresses/CIDRs. */
export function trustProxyOption(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return Number(value)
  return value
}

/**
 * A dashboard makes several requests a second: fastify's two info lines per request are noise at the
 * default level, so they go to debug; a request that errored stays an error.
 */
class RequestsAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) super.requestCompleted(error, request, reply)
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}

export async function buildApp(config: HubConfig, opts: BuildOptions = {}): Promise<FastifyInstance> {
  // HTTPS on the HTTP port whenever a certificate is configured (the same one MQTT over TLS uses).
  const https =
    config.tlsCert && config.tlsKey
      ? { cert: await readFile(config.tlsCert), key: await readFile(config.tlsKey) }
      : undefined
  // (typed as the plain HTTP server: the HTTPS one is the same to every plugin here, socket.io included;
  // fastify takes a hop count for trustProxy though its types list only strings and booleans)
  const options = {
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    trustProxy: trustProxyOption(config.trustProxy),
    ...(https ? { https } : {}),
    logController: new RequestsAtDebug(),
    // Features load what the store holds before the hub listens (100,000 advisories, every device's
    // findings): fastify's default of 10 s would refuse to start a large hub on a busy machine.
    pluginTimeout: 300_000,
  } as FastifyServerOptions
  const app = Fastify(options).withTypeProvider<TypeBoxTypeProvider>()
  app.setValidatorCompiler(lazyValidatorCompiler)
  app.setSerializerCompiler(lazySerializerCompiler())
  app.addHook('onRoute', inlineResponseSchemas())

  // One error shape, normalised once, here.
  app.setErrorHandler((err: FastifyError | HubError | StorageError | VersionConflictError, req, reply) => {
    if (err instanceof HubError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v)
      return reply.code(err.statusCode).send({ ...err.extra, ...errorBody(err.code, err.message) })
    }
    if (err instanceof VersionConflictError) {
      // A route that knows the records' views answers them itself; this is the plain fallback.
      const current = err.conflicts.map((c) => ({ id: c.id, version: c.version }))
      return reply.code(409).send({ current, ...errorBody('VIGIL_CONFLICT', err.message) })
    }
    if (err instanceof StorageError) {
      const code = err.code === 'STORAGE_FULL' ? 'VIGIL_STORAGE_FULL' : 'VIGIL_STORAGE_FAILED'
      req.log.error({ err }, 'storage error')
      return reply.code(ERRORS[code].status).send(errorBody(code))
    }
    if ('validation' in err && err.validation) {
      return reply.code(400).send(errorBody('VIGIL_BAD_REQUEST', err.message))
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined
    if (mapped) return reply.code(ERRORS[mapped].status).send(errorBody(mapped, err.message))
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('VIGIL_BAD_REQUEST', err.message))
    }
    req.log.error({ err }, 'unhandled error')
    return reply.code(500).send(errorBody('VIGIL_INTERNAL'))
  })

  try {
    await registerAll(app, config)
  } catch (err) {
    // Whatever started before the failure (store, broker) is stopped again.
    await app.close().catch(() => {})
    throw err
  }
  return app
}

async function registerAll(app: FastifyInstance, config: HubConfig): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        // The hub serves plain HTTP on the LAN by default: upgrading subresources to https would break it.
        upgradeInsecureRequests: null,
      },
    },
    // Set below, only on answers that really went over HTTPS (directly or through a trusted proxy).
    hsts: false,
  })
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https')
      reply.header('strict-transport-security', `max-age=${config.hstsMaxAgeSec}; includeSubDomains`)
  })
  await app.register(fastifyCookie)
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Vigil hub API', version: '1.0.0' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transformObject: markOptionalBodies,
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  if (process.env.VIGIL_CHECK_RESPONSES === '1') await app.register(responseCheck)
  await app.register(corePlugin, { config })
  await app.register(durableWrites)
  await app.register(authPlugin)
  await app.register(realtimePlugin)
  await app.register(healthRoutes)
  await app.register(sessionRoutes, { prefix: API_PREFIX })
  await app.register(enrollmentRoutes, { prefix: API_PREFIX })
  await app.register(deviceRoutes, { prefix: API_PREFIX })
  await app.register(userRoutes, { prefix: API_PREFIX })
  await app.register(auditRoutes, { prefix: API_PREFIX })
  await app.register(backupRoutes, { prefix: API_PREFIX })
  for (const feature of FEATURE_PLUGINS) await app.register(feature)
  await app.register(brokerPlugin)
  await registerDashboard(app, config.dashboardDir)
}
