import { Type } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { lostPaths, schemaOf, strippedBy } from '../../src/http/response-check.ts'

describe('response check: what a response schema would strip', () => {
  const Row = Type.Object({ id: Type.String(), tags: Type.Optional(Type.Array(Type.String())) })
  const List = Type.Object({ rows: Type.Array(Row), total: Type.Integer() })

  it('names a property the schema does not declare, nested in arrays', () => {
    expect(strippedBy(List, { rows: [{ id: 'a' }, { id: 'b', canary: 2 }], total: 2, extra: true })).toEqual([
      'rows[1].canary',
      'extra',
    ])
  })

  it('finds nothing when the schema declares everything, or when there is no schema', () => {
    expect(strippedBy(List, { rows: [{ id: 'a', tags: ['x'] }], total: 1 })).toEqual([])
    expect(strippedBy(undefined, { anything: 1 })).toEqual([])
    expect(strippedBy(Type.Object({ a: Type.Unknown() }), { a: { deep: [1] } })).toEqual([])
  })

  it('keeps the properties of the union member that matches', () => {
    const U = Type.Union([Type.Object({ kind: Type.Literal('a'), x: Type.Number() }), Type.Null()])
    expect(strippedBy(Type.Object({ u: U }), { u: { kind: 'a', x: 1 } })).toEqual([])
    expect(strippedBy(Type.Object({ u: U }), { u: { kind: 'a', x: 1, y: 2 } })).toEqual(['u.y'])
  })

  it('compares the JSON the client receives (undefined dropped)', () => {
    expect(lostPaths({ a: 1, b: [{ c: 1 }] }, { a: 1, b: [{}] })).toEqual(['b[0].c'])
    expect(strippedBy(Row, { id: 'a', gone: undefined })).toEqual([])
  })
})

describe('response check: the declared schema of an answer', () => {
  it('is the schema itself, or the one of the content type', () => {
    const A = Type.Object({ a: Type.String() })
    const S = Type.String()
    expect(schemaOf(A, 'application/json')).toBe(A)
    const both = { content: { 'application/json': { schema: A }, 'text/csv': { schema: S } } }
    expect(schemaOf(both, 'application/json; charset=utf-8')).toBe(A)
    expect(schemaOf(both, 'text/csv; charset=utf-8')).toBe(S)
    expect(schemaOf(undefined, 'application/json')).toBeUndefined()
  })
})
