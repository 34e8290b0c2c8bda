import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { lazyValidatorCompiler } from '../../src/http/lazy-validator.ts'
import { testHub } from '../helpers.ts'

const body = Type.Object({ name: Type.String({ minLength: 1 }), n: Type.Integer({ minimum: 0 }) })
const query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  all: Type.Optional(Type.Boolean()),
})
const route = (schema: unknown, httpPart: string) =>
  ({ schema, method: 'POST', url: '/x', httpPart }) as never

describe('lazy request validators', () => {
  it('answer what the TypeBox compiler answers: the same values, conversions and errors', () => {
    const cases: [unknown, string, unknown[]][] = [
      [body, 'body', [{ name: 'a', n: 1 }, { name: '', n: 1 }, { name: 'a', n: -1 }, { n: 1 }, null, 'text']],
      [query, 'querystring', [{}, { limit: '5' }, { limit: '0' }, { all: 'true' }, { limit: 'x' }]],
    ]
    for (const [schema, part, values] of cases) {
      const eager = TypeBoxValidatorCompiler(route(schema, part))
      const lazy = lazyValidatorCompiler(route(schema, part))
      for (const v of values) expect(lazy(structuredClone(v))).toEqual(eager(structuredClone(v)))
    }
    // (the cases do include refusals and query conversion)
    expect(lazyValidatorCompiler(route(query, 'querystring'))({ limit: '5' })).toEqual({
      value: { limit: 5 },
    })
    expect(lazyValidatorCompiler(route(body, 'body'))({ n: 1 })).toHaveProperty('error')
  })

  it('compile on the first request, not when the route is added', () => {
    // A schema TypeBox refuses to compile: adding the route does not compile it, the first request does.
    const broken = route(Type.Object({ a: Type.String({ pattern: '(' }) }), 'body')
    expect(() => TypeBoxValidatorCompiler(broken)).toThrow(/regular expression/)
    const validate = lazyValidatorCompiler(broken)
    expect(() => validate({ a: 'x' })).toThrow(/regular expression/)
  })

  it('every route of the real hub has request schemas that compile, and a bad body is still refused', async () => {
    // Routes as the hub adds them, from the start of its fastify instance (diagnostics channel).
    const routes: RouteOptions[] = []
    const onInit = (message: unknown) => {
      ;(message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (r) => {
        routes.push(r)
      })
    }
    subscribe('fastify.initialization', onInit)
    let hub: Awaited<ReturnType<typeof testHub>>
    try {
      hub = await testHub()
    } finally {
      unsubscribe('fastify.initialization', onInit)
    }
    let compiled = 0
    for (const r of routes) {
      const schema = (r.schema ?? {}) as FastifySchema
      for (const httpPart of ['body', 'querystring', 'params', 'headers'] as const) {
        const s = schema[httpPart]
        if (s === undefined) continue
        expect(
          () =>
            TypeBoxValidatorCompiler({ schema: s, method: String(r.method), url: r.url, httpPart } as never),
          `${r.method} ${r.url} ${httpPart}`,
        ).not.toThrow()
        compiled++
      }
    }
    expect(compiled).toBeGreaterThan(50)
    const res = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'admin' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: { code: 'VIGIL_BAD_REQUEST' } })
  })
})
