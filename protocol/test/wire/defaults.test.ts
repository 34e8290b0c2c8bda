import fc from 'fast-check'
import Value from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { Type } from '../../src/index.ts'
import { applyDefaults } from '../../src/wire/defaults.ts'

/** A configuration-like schema: nested objects with defaults, optional fields, an array, a union. */
const Config = Type.Object(
  {
    dir: Type.String({ default: '/var/lib/x' }),
    name: Type.Optional(Type.String()),
    every: Type.Integer({ default: 10 }),
    level: Type.Union([Type.Literal('info'), Type.Literal('debug')], { default: 'info' }),
    inner: Type.Object(
      {
        a: Type.Integer({ default: 1 }),
        b: Type.Optional(Type.String()),
        c: Type.Object({ d: Type.Boolean({ default: true }) }, { default: {} }),
      },
      { default: {} },
    ),
    list: Type.Optional(
      Type.Array(Type.Object({ x: Type.Integer({ default: 5 }), y: Type.Optional(Type.String()) })),
    ),
    extra: Type.Object(
      {},
      { additionalProperties: Type.Object({ z: Type.Integer({ default: 2 }) }), default: {} },
    ),
  },
  { additionalProperties: false },
)

/** Inputs shaped like the schema, with holes and wrong types. */
const input = fc.record(
  {
    dir: fc.oneof(fc.string(), fc.constant(undefined)),
    name: fc.string(),
    every: fc.oneof(fc.integer(), fc.string()),
    level: fc.constantFrom('info', 'debug', 'nope'),
    inner: fc.oneof(
      fc.record(
        {
          a: fc.integer(),
          b: fc.string(),
          c: fc.oneof(fc.record({ d: fc.boolean() }, { requiredKeys: [] }), fc.constant(null)),
        },
        { requiredKeys: [] },
      ),
      fc.constant(null),
      fc.integer(),
    ),
    list: fc.array(
      fc.oneof(fc.record({ x: fc.integer(), y: fc.string() }, { requiredKeys: [] }), fc.jsonValue()),
    ),
    extra: fc.dictionary(
      fc.string(),
      fc.oneof(fc.record({ z: fc.integer() }, { requiredKeys: [] }), fc.jsonValue()),
    ),
    unknown: fc.jsonValue(),
  },
  { requiredKeys: [] },
)

describe('applyDefaults', () => {
  it('fills in like Value.Default, from the TypeBox schema and from its JSON alone', () => {
    const json = JSON.parse(JSON.stringify(Config))
    fc.assert(
      fc.property(input, (value) => {
        const expected = Value.Default(Config, structuredClone(value))
        expect(applyDefaults(Config, structuredClone(value))).toEqual(expected)
        expect(applyDefaults(json, structuredClone(value))).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('fills a missing value with a copy of the default', () => {
    const out = applyDefaults(Config, {}) as { inner: { a: number; c: { d: boolean } }; dir: string }
    expect(out).toEqual({
      dir: '/var/lib/x',
      every: 10,
      level: 'info',
      inner: { a: 1, c: { d: true } },
      extra: {},
    })
    expect((Config.properties.inner as { default?: unknown }).default).toEqual({})
  })

  it('refuses a default it cannot place without checking variants', () => {
    const schema = Type.Union([Type.Object({ a: Type.Integer({ default: 1 }) }), Type.String()])
    expect(() => applyDefaults(schema, {})).toThrow(/not supported/)
  })
})
