import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { lazySerializerCompiler } from '../../src/http/lazy-serializer.ts'

const schema = Type.Object({ id: Type.String(), n: Type.Integer(), tags: Type.Array(Type.String()) })
const route = { schema, method: 'GET', url: '/x', httpStatus: '200' }

describe('lazy response serializers', () => {
  it('give what fastify’s default compiler gives, extra properties dropped the same way', () => {
    const eager = SerializerSelector()()(route)
    const lazy = lazySerializerCompiler()(route)
    for (const doc of [
      { id: 'a', n: 1, tags: [] },
      { id: 'é"\\', n: -7, tags: ['x', 'y'], secret: 'never sent' },
    ]) {
      expect(lazy(doc)).toBe(eager(doc))
    }
    expect(JSON.parse(lazy({ id: 'a', n: 1, tags: [], secret: 's' }))).not.toHaveProperty('secret')
  })

  it('compile on the first answer, not when the route is added', () => {
    // A schema fast-json-stringify refuses: adding the route does not compile it, the first answer does.
    const broken = { ...route, schema: { type: 'object', properties: { a: { $ref: '#/nowhere' } } } }
    const serialize = lazySerializerCompiler()(broken)
    expect(() => SerializerSelector()()(broken)).toThrow()
    expect(() => serialize({ a: 1 })).toThrow()
  })
})
