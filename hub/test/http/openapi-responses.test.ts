/**
 * Every route under /api/v1 declares its success response, so what it answers is in the OpenAPI
 * document and fastify serialises it from the schema (issue 19, point 2). Walks the real document of a
 * real hub. Routes that do not yet declare one are listed by name below; the list must shrink, never
 * grow: a new route without a response schema fails here, and so does a listed route that now declares
 * one (take it off the list).
 */
import { describe, expect, it } from 'vitest'
import { testHub } from '../helpers.ts'

interface Operation {
  responses?: Record<string, { description?: string; content?: unknown }>
}

/** A 2xx/3xx answer with a body schema, or a declared empty one (204 with its own description). */
function declaresSuccess(op: Operation): boolean {
  return Object.entries(op.responses ?? {}).some(
    ([code, r]) =>
      /^[23]/.test(code) &&
      (r.content !== undefined || (r.description ?? 'Default Response') !== 'Default Response'),
  )
}

const NOT_YET_DECLARED = new Set([
  'GET /api/v1/audit',
  'GET /api/v1/admin/backup',
  'GET /api/v1/correlation/stats',
  'DELETE /api/v1/feeds/{id}',
  'POST /api/v1/feeds/export',
  'POST /api/v1/vendors',
  'GET /api/v1/vendors',
  'GET /api/v1/vendors/{id}',
  'PATCH /api/v1/vendors/{id}',
  'GET /api/v1/vendors/{id}/trust',
  'POST /api/v1/vendors/{id}/token',
  'POST /api/v1/vendors/{id}/keys',
  'POST /api/v1/vendors/{id}/keys/{keyid}/revoke',
  'DELETE /api/v1/vendors/{id}/keys/{keyid}',
  'POST /api/v1/vendors/{id}/rotations',
  'POST /api/v1/manifests',
  'GET /api/v1/manifests',
  'GET /api/v1/devices/{id}/manifests',
  'GET /api/v1/manifests/patch-available',
  'GET /api/v1/manifests/{id}',
  'GET /api/v1/manifests/{id}/envelope',
  'POST /api/v1/manifests/{id}/rollout',
  'POST /api/v1/manifests/{id}/rollout/advance',
  'POST /api/v1/manifests/{id}/rollout/pause',
  'POST /api/v1/manifests/{id}/rollout/resume',
  'POST /api/v1/manifests/{id}/rollout/cancel',
  'POST /api/v1/manifests/{id}/targets/{deviceId}/retry',
  'GET /api/v1/baselines',
  'PUT /api/v1/baselines',
])

describe('OpenAPI: every /api/v1 route declares its response', () => {
  it('tells a declared response from a default one', () => {
    expect(declaresSuccess({ responses: { '200': { description: 'Default Response' } } })).toBe(false)
    expect(declaresSuccess({ responses: { '401': { description: 'Default Response', content: {} } } })).toBe(
      false,
    )
    expect(declaresSuccess({ responses: { '200': { description: 'Default Response', content: {} } } })).toBe(
      true,
    )
    expect(declaresSuccess({ responses: { '204': { description: 'deleted' } } })).toBe(true)
  })

  it('no route lacks a response schema except the listed ones, and every listed one still lacks it', async () => {
    const hub = await testHub()
    const doc = (await hub.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>
    }>()
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/') || path === '/api/v1')
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([m, op]) => ({ route: `${m.toUpperCase()} ${path}`, op })),
      )
    expect(routes.length).toBeGreaterThan(60)
    const undeclared = routes.filter((r) => !declaresSuccess(r.op)).map((r) => r.route)
    expect(
      undeclared.filter((r) => !NOT_YET_DECLARED.has(r)),
      'routes without a response schema',
    ).toEqual([])
    expect(
      [...NOT_YET_DECLARED].filter((r) => !undeclared.includes(r)),
      'listed routes that now declare one (take them off the list) or are gone',
    ).toEqual([])
  })
})
