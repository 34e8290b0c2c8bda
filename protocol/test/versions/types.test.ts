import { describe, expect, it } from 'vitest'
import { compareDigits, isVersionScheme, memoize, VERSION_SCHEMES } from '../../src/versions/types.ts'

describe('compareDigits', () => {
  it('compares unbounded integers, ignoring leading zeros', () => {
    expect(compareDigits('999999999999999999999999999991', '999999999999999999999999999999')).toBe(-1)
    expect(compareDigits('0010', '10')).toBe(0)
    expect(compareDigits('', '0')).toBe(0)
    expect(compareDigits('9', '10')).toBe(-1)
  })
})

describe('memoize', () => {
  it('parses each input once, is bounded, and does not cache failures', () => {
    const calls: string[] = []
    const parse = memoize((s: string) => {
      calls.push(s)
      if (s === 'bad') throw new Error('bad')
      return s.length
    }, 2)
    expect([parse('a'), parse('a'), parse('bb')]).toEqual([1, 1, 2])
    expect(calls).toEqual(['a', 'bb'])
    parse('ccc') // full: the cache starts over
    parse('a')
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a'])
    expect(() => parse('bad')).toThrow('bad')
    expect(() => parse('bad')).toThrow('bad')
    expect(calls.filter((c) => c === 'bad')).toHaveLength(2)
  })
})

describe('isVersionScheme', () => {
  it('knows every scheme and nothing else', () => {
    for (const s of VERSION_SCHEMES) expect(isVersionScheme(s)).toBe(true)
    expect(isVersionScheme('cobol')).toBe(false)
    expect(isVersionScheme(undefined)).toBe(false)
  })
})
