import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../src/index.ts'

/** Nesting depth of a JSON value, computed on the value (the oracle). */
function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf))
  if (typeof v === 'object' && v !== null) return 1 + Math.max(0, ...Object.values(v).map(depthOf))
  return 0
}

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays, the root being level 1', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false)
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true)
    expect(jsonDepthExceeds('{"a":{"b":[1]}}', 3)).toBe(false)
    expect(jsonDepthExceeds('{"a":{"b":[1]}}', 2)).toBe(true)
  })

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ s: '[[[[{{{{' }), 1)).toBe(false)
    expect(jsonDepthExceeds(JSON.stringify({ s: 'a\\"[[[[', t: '\\\\' }), 1)).toBe(false)
    expect(jsonDepthExceeds(JSON.stringify(['"\\', ['x']]), 1)).toBe(true)
  })

  it('stops early on a hostile payload of 10,000 levels', () => {
    expect(jsonDepthExceeds(`{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`)).toBe(true)
  })

  it('agrees with the depth of the value for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, limit) => {
        expect(jsonDepthExceeds(JSON.stringify(value), limit)).toBe(depthOf(value) > limit)
      }),
      { numRuns: 500 },
    )
  })
})
