/**
 * Unknown properties of a device message are removed, recursively and per schema, by the validator's
 * `parse` (the path the hub ingests with), so the hub never stores what it did not validate.
 */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CommandResponse, compile, DEVICE_MESSAGES, DeviceEvent, Type } from '../src/index.ts'

const ts = '2026-11-28T10:00:00.000Z'
const os = { platform: 'linux', id: 'debian', kernel: '6.1.0', arch: 'x64' }
const birth = {
  v: 1,
  status: 'online',
  ts,
  identity: { hostname: 'gw-1', hardware: { model: 'm' }, os },
  seq: 7,
  epoch: 'a1b2c3d4e5',
}

describe('parse strips unknown properties', () => {
  const state = compile(DEVICE_MESSAGES.state.schema)

  it('removes extras at every level and keeps every declared field, seq and epoch included', () => {
    const sent = {
      ...birth,
      future: { x: 1 },
      identity: { ...birth.identity, extra: 'x', hardware: { model: 'm', deep: [1] }, os: { ...os, y: 2 } },
    }
    const r = state.parse(JSON.stringify(sent))
    expect(r).toEqual({ ok: true, value: birth, stripped: true })
  })

  it('says when nothing was removed, and then the text parses to exactly the value', () => {
    const text = JSON.stringify(birth)
    const r = state.parse(text)
    expect(r).toEqual({ ok: true, value: birth, stripped: false })
    if (r.ok) expect(JSON.parse(text)).toEqual(r.value)
    // one extra anywhere, however deep, is reported
    const deeper = JSON.stringify({ ...birth, identity: { ...birth.identity, os: { ...os, y: 2 } } })
    expect(state.parse(deeper)).toEqual({ ok: true, value: birth, stripped: true })
  })

  it('refuses a state whose identity holds an extra property nested 10,000 levels deep, before parsing', () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`
    const text = JSON.stringify(birth).replace('"hostname":', `"evil":${deep},"hostname":`)
    const r = state.parse(text)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.reason).toBe('json')
      expect(r.message).toMatch(/nested deeper than 32 levels/)
    }
    // the same extra a few levels deep is accepted and removed
    const shallow = JSON.stringify(birth).replace('"hostname":', '"evil":{"a":{"a":1}},"hostname":')
    expect(state.parse(shallow)).toEqual({ ok: true, value: birth, stripped: true })
  })

  it('keeps free-form records (event data) and strips by the matching union branch', () => {
    const event = { v: 1, id: 'e-1', ts, kind: 'info', message: 'm', data: { any: { thing: [1] } } }
    expect(compile(DeviceEvent).parse(JSON.stringify({ ...event, x: 1 }))).toEqual({
      ok: true,
      value: event,
      stripped: true,
    })
    const error = { v: 1, tx: 't1', status: 'error', error: { code: 'E_BAD', message: 'm' } }
    const parsed = compile(CommandResponse).parse(
      JSON.stringify({ ...error, data: { kept: false }, error: { ...error.error, z: 1 } }),
    )
    expect(parsed).toEqual({ ok: true, value: error, stripped: true })
    const ok = { v: 1, tx: 't2', status: 'ok', data: { a: { b: 1 } } }
    expect(compile(CommandResponse).parse(JSON.stringify({ ...ok, error: 1 }))).toEqual({
      ok: true,
      value: ok,
      stripped: true,
    })
  })

  it('strips objects whose keys or declared names collide with Object.prototype', () => {
    const v = compile(Type.Object({ constructor: Type.Optional(Type.String()), a: Type.Number() }))
    const w = compile(Type.Object({ a: Type.Number(), b: Type.Optional(Type.Number()) }))
    // past the calls after which a schema's stripper is generated for its names
    for (let i = 0; i < 100; i++) {
      v.parse('{"a":1}')
      w.parse('{"a":1}')
    }
    expect(v.parse('{"a":1,"toString":2}')).toEqual({ ok: true, value: { a: 1 }, stripped: true })
    // `constructor` absent but found on the prototype must not hide the extra
    expect(v.parse('{"a":1,"zz":2}')).toEqual({ ok: true, value: { a: 1 }, stripped: true })
    expect(v.parse('{"a":1,"constructor":"x"}')).toEqual({
      ok: true,
      value: { a: 1, constructor: 'x' },
      stripped: false,
    })
    // as many keys as declared, but one of them undeclared
    expect(w.parse('{"a":1,"valueOf":2}')).toEqual({ ok: true, value: { a: 1 }, stripped: true })
    expect(w.parse('{"a":1,"b":2}')).toEqual({ ok: true, value: { a: 1, b: 2 }, stripped: false })
  })

  it('never changes the caller value in validate()', () => {
    const value = { ...birth, extra: 1 }
    expect(state.validate(value).ok).toBe(true)
    expect(value.extra).toBe(1)
  })

  it('answers exactly the declared part for any valid value with any extras (property)', () => {
    const Item = Type.Object({ name: Type.String(), tags: Type.Optional(Type.Array(Type.String())) })
    const schema = Type.Object({
      id: Type.Integer(),
      items: Type.Array(Item),
      meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      kind: Type.Union([
        Type.Object({ t: Type.Literal('a'), a: Type.Number() }),
        Type.Object({ t: Type.Literal('b'), b: Type.String() }),
      ]),
    })
    const v = compile(schema)
    const key = fc
      .string({ minLength: 1, maxLength: 6 })
      .filter((k) => !['name', 'tags', 'id', 'items', 'meta', 'kind', 't', 'a', 'b'].includes(k))
    const extras = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 })
    const item = fc.record(
      { name: fc.string(), tags: fc.array(fc.string(), { maxLength: 3 }) },
      { requiredKeys: ['name'] },
    )
    const kind = fc.oneof(
      fc.record({ t: fc.constant('a' as const), a: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
      fc.record({ t: fc.constant('b' as const), b: fc.string() }),
    )
    const valid = fc.record(
      {
        id: fc.integer(),
        items: fc.array(item, { maxLength: 4 }),
        meta: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        kind,
      },
      { requiredKeys: ['id', 'items', 'kind'] },
    )
    const withExtras = (value: Record<string, unknown>, x: Record<string, unknown>[]) => {
      let n = 0
      const more = () => x[n++ % x.length] ?? {}
      const out = { ...more(), ...value } as Record<string, unknown>
      out.items = (value.items as object[]).map((it) => ({ ...more(), ...it }))
      out.kind = { ...more(), ...(value.kind as object) }
      return out
    }
    fc.assert(
      fc.property(valid, fc.array(extras, { minLength: 1, maxLength: 4 }), (value, x) => {
        const expected = JSON.parse(JSON.stringify(value))
        const text = JSON.stringify(withExtras(value, x))
        const r = v.parse(text)
        expect(r).toEqual({ ok: true, value: expected, stripped: expect.any(Boolean) })
        // `stripped: false` only when the text itself is exactly the value
        if (r.ok) expect(r.stripped).toBe(!isDeepStrictEqual(JSON.parse(text), expected))
      }),
      { numRuns: 300 },
    )
  })
})
