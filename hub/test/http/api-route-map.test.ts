/**
 * Protocol's route map (`API_ROUTES`) lists every route the hub serves under `API_PREFIX`, no more and
 * no fewer (method and path, as fastify registered them), and each entry's schemas are the ones the
 * route declares: its query parameters, its JSON request body (and whether it may be left out) and its
 * success answer, compared with
 * what the hub's OpenAPI document (generated from the registered routes) says.
 */
import { API_PREFIX, API_ROUTES, type HttpMethod, type RouteSpec } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { testHub } from '../helpers.ts'

interface Operation {
  parameters?: { in: string; name: string }[]
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> }
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>
}
type Doc = {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown> }
}

/** A schema as JSON, with the document's `$ref`s inlined, the names (`$id`, `title`) dropped, keys sorted. */
function plain(schema: unknown, doc: Doc): unknown {
  if (Array.isArray(schema)) return schema.map((s) => plain(s, doc))
  if (schema === null || typeof schema !== 'object') return schema
  const o = schema as Record<string, unknown>
  if (typeof o.$ref === 'string') {
    const name = o.$ref.replace('#/components/schemas/', '')
    return plain(doc.components?.schemas?.[name], doc)
  }
  // (the OpenAPI rendering writes `const: x` as `enum: [x]`, a record's pattern as additionalProperties,
  // base64 content as format byte; descriptions are documentation, not shape)
  return Object.fromEntries(
    Object.entries(o)
      .filter(([k]) => k !== '$id' && k !== 'title' && k !== 'description')
      .map(([k, v]): [string, unknown] => {
        if (k === 'const') return ['enum', [v]]
        if (k === 'patternProperties')
          return ['additionalProperties', plain(Object.values(v as object)[0], doc)]
        if (k === 'contentEncoding' && v === 'base64') return ['format', 'byte']
        return [k, plain(v, doc)]
      })
      .sort(([a], [b]) => a.localeCompare(b)),
  )
}

const toMap = (path: string) => path.slice(API_PREFIX.length).replace(/\{(\w+)\}/g, ':$1')

describe('API_ROUTES', () => {
  it('is every route under the API prefix, with the schemas each route declares', async () => {
    const hub = await testHub()
    const doc = (await hub.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<Doc>()
    const served = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith(`${API_PREFIX}/`))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${toMap(path)}`))
      .sort()
    const mapped = Object.keys(API_ROUTES).sort()
    expect(mapped).toEqual(served)
    // Routes hidden from the document are still found by fastify, so none of them is missed here.
    for (const route of mapped) {
      const [method, path] = route.split(' ') as [HttpMethod, string]
      expect(hub.app.hasRoute({ method, url: `${API_PREFIX}${path}` }), route).toBe(true)
    }

    const mismatches: string[] = []
    for (const [route, spec] of Object.entries(API_ROUTES) as [string, RouteSpec][]) {
      const [method, path] = route.split(' ') as [string, string]
      const docPath = `${API_PREFIX}${path.replace(/:(\w+)/g, '{$1}')}`
      const op = doc.paths[docPath]?.[method.toLowerCase()] as Operation
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
      const mapQuery = Object.keys((spec.query as { properties?: object } | undefined)?.properties ?? {})
      if (query.sort().join() !== mapQuery.sort().join())
        mismatches.push(`${route}: query ${query} ≠ ${mapQuery}`)
      const body = Object.values(op.requestBody?.content ?? {})[0]?.schema
      if (JSON.stringify(plain(body, doc)) !== JSON.stringify(plain(spec.body, doc)))
        mismatches.push(`${route}: body ${firstDiff(plain(body, doc), plain(spec.body, doc))}`)
      // A body the hub reads as `{}` when it is left out is declared optional, the others required.
      if (op.requestBody && op.requestBody.required !== (spec.bodyOptional !== true))
        mismatches.push(
          `${route}: body required ${op.requestBody.required}, map: optional ${spec.bodyOptional}`,
        )
      const status = Object.keys(op.responses).find((s) => s.startsWith('2'))
      const answer = status ? op.responses[status] : undefined
      const reply = Object.values(answer?.content ?? {})[0]?.schema
      if (spec.reply === null) {
        if (status !== '204') mismatches.push(`${route}: answers ${status}, not 204`)
      } else if (JSON.stringify(plain(reply, doc)) !== JSON.stringify(plain(spec.reply, doc)))
        mismatches.push(`${route}: reply ${firstDiff(plain(reply, doc), plain(spec.reply, doc))}`)
    }
    expect(mismatches).toEqual([])
    await hub.close()
  })
})

/** Where two JSON values first differ (`/a/b: x ≠ y`). */
function firstDiff(a: unknown, b: unknown, at = ''): string {
  if (JSON.stringify(a) === JSON.stringify(b)) return ''
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = a as Record<string, unknown>
    const kb = b as Record<string, unknown>
    for (const k of new Set([...Object.keys(ka), ...Object.keys(kb)])) {
      const d = firstDiff(ka[k], kb[k], `${at}/${k}`)
      if (d) return d
    }
  }
  return `${at || '/'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`
}
