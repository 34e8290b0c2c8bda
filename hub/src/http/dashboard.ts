/**
 * Serves the built dashboard (`dashboard/dist`, found through the `@vigil/dashboard` package or
 * `VIGIL_DASHBOARD_DIR`) with an SPA fallback to index.html for non-API GETs. Without a build, a plain
 * page says how to build it.
 */
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { errorBody } from '../errors.js'

/** Finds `<@vigil/dashboard>/dist` by walking up from this file to a node_modules that holds it. */
export function resolveDashboardDir(configured: string | undefined): string | undefined {
  if (configured) return existsSync(join(configured, 'index.html')) ? configured : undefined
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'node_modules', '@vigil', 'dashboard')
    if (existsSync(candidate)) {
      const dist = join(realpathSync(candidate), 'dist')
      return existsSync(join(dist, 'index.html')) ? dist : undefined
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Vigil</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Vigil hub is running</h1>
<p>The dashboard is not built yet. Run <code>pnpm build</code> (or <code>pnpm start</code>) from the
repository root, or point <code>VIGIL_DASHBOARD_DIR</code> at a built dashboard.</p>
<p>The API answers under <a href="/api/docs">/api/docs</a>.</p></body></html>`

const isSourceMap = (url: string) => /\.map(\?|$)/i.test(url.split('#')[0] ?? '')

const isApi = (url: string) => /^\/(api|socket\.io|metrics|healthz|readyz)(\/|\?|$)/.test(url)

export async function registerDashboard(app: FastifyInstance, configured: string | undefined): Promise<void> {
  const root = resolveDashboardDir(configured)
  if (root) {
    // Source maps are never served, even from a build that has them (they disclose the sources).
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: ['index.html'],
      allowedPath: (path) => !isSourceMap(path),
    })
  } else {
    app.log.warn('dashboard not built: serving a placeholder page')
  }
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !isApi(req.url) && !isSourceMap(req.url)) {
      if (root) return reply.type('text/html').sendFile('index.html')
      return reply.type('text/html').send(NOT_BUILT)
    }
    return reply
      .code(404)
      .send(errorBody('VIGIL_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`))
  })
}
