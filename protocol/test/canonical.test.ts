/**
 * canonicalJson is what every content hash and signature is computed over: its output must never change.
 * The reference below is the original definition (sorted keys, no whitespace, undefined properties
 * left out, undefined array items as null); the one-pass implementation must equal it byte for byte.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../src/index.ts'

function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number')
    return JSON.stringify(value) ?? 'null'
  }
  if (Array.isArray(value)) return `[${value.map((v) => reference(v ?? null)).join(',')}]`
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`).join(',')}}`
}

describe('canonicalJson', () => {
  it('sorts keys at every level, leaves out undefined properties and writes no whitespace', () => {
    const value = { b: [3, { z: 1, a: undefined, y: 'é"\\\n' }], a: null, c: undefined, '\u0001': true }
    expect(canonicalJson(value)).toBe('{"\\u0001":true,"a":null,"b":[3,{"y":"é\\"\\\\\\n","z":1}]}')
    expect(canonicalJson([undefined, 1])).toBe('[null,1]')
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError)
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(TypeError)
  })

  it('escapes exactly as JSON.stringify: controls, quotes, backslashes, lone and paired surrogates', () => {
    for (const s of ['a\ud800b', '\udc00', '😀', '\u007f\u2028', 'plain', '', '"', '\\'])
      expect(canonicalJson({ [s]: s })).toBe(reference({ [s]: s }))
  })

  it('equals the reference byte for byte for any value (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 })
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        text,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
      ),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 5 }),
      object: fc.dictionary(text, tie('node'), { maxKeys: 6 }),
    })).node
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v))
      }),
      { numRuns: 2000 },
    )
  })

  it('gives the same text for objects of one key order seen before and after many others (its caches)', () => {
    const pkg = (i: number) => ({ version: `${i}`, name: `p${i}`, ecosystem: 'deb', purl: `pkg:deb/p${i}` })
    const first = canonicalJson(pkg(1))
    for (let i = 0; i < 3000; i++) canonicalJson({ [`k${i}`]: i, [`j${i}`]: [i] })
    expect(canonicalJson(pkg(1))).toBe(first)
    expect(first).toBe(reference(pkg(1)))
  })
})
