/**
 * Every route under /api/v1 declares its success response, so what it answers is in the OpenAPI
 * document and fastify serialises it from the schema (issue 19, point 2). Walks the real document of a
 * real hub: a route without a response schema fails here, and so does a declared error answer whose
 * body is not the one shared error shape.
 */
import { API_PREFIX, API_ROUTES } from '@vigil/protocol'
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

function jsonSchemaOf(resp: { content?: unknown }): unknown {
  const content = resp.content as Record<string, { schema?: unknown }> | undefined
  return content?.['application/json']?.schema
}

/** The shared error shape: `{error: {code, message}}`, both required strings. */
function isApiError(schema: unknown): boolean {
  const s = schema as {
    required?: string[]
    properties?: { error?: { required?: string[]; properties?: Record<string, { type?: string }> } }
  }
  const e = s?.properties?.error
  return (
    (s?.required ?? []).includes('error') &&
    ['code', 'message'].every((k) => e?.required?.includes(k) && e.properties?.[k]?.type === 'string')
  )
}

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

  it('tells the shared error shape from another one', () => {
    const ok = {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' } },
        },
      },
    }
    expect(isApiError(ok)).toBe(true)
    expect(isApiError({ type: 'object', properties: { message: { type: 'string' } } })).toBe(false)
    expect(isApiError(undefined)).toBe(false)
  })

  it('every route declares its success answer, and its error answers with the shared error schema', async () => {
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
    expect(undeclared, 'routes without a response schema').toEqual([])
    const errorShapes = routes.flatMap((r) =>
      Object.entries(r.op.responses ?? {})
        .filter(([code]) => /^[45]/.test(code))
        .map(([code, resp]) => ({ at: `${r.route} ${code}`, schema: jsonSchemaOf(resp) })),
    )
    expect(errorShapes.length).toBeGreaterThan(routes.length)
    // protocol's route map (what the dashboard calls) names only routes the hub serves
    const served = new Set(routes.map((r) => r.route))
    const mapped = Object.keys(API_ROUTES).map((key) => {
      const [method, path] = key.split(' ') as [string, string]
      return `${method} ${API_PREFIX}${path.replace(/:([A-Za-z]+)/g, '{$1}')}`
    })
    expect(mapped.filter((r) => !served.has(r))).toEqual([])
    expect(
      errorShapes.filter((e) => !isApiError(e.schema)).map((e) => e.at),
      'error answers not declared with the shared error schema',
    ).toEqual([])
  })
})
