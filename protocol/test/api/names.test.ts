import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compile, isSafeName, SafeName } from '../../src/index.ts'

const FORBIDDEN = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
].map((c) => String.fromCodePoint(c))

describe('SafeName (issue #14)', () => {
  const name = compile(SafeName(255))

  it('refuses every C0/C1 control, DEL and bidi control anywhere in a name', () => {
    for (const c of FORBIDDEN) {
      for (const text of [c, `a${c}`, `${c}a`, `gw-1${c}x`]) {
        expect(isSafeName(text), JSON.stringify(text)).toBe(false)
        expect(name.check(text), JSON.stringify(text)).toBe(false)
      }
    }
    expect(name.check('   ')).toBe(false)
    expect(name.check('')).toBe(false)
  })

  it('accepts printable text in any script, and agrees with the schema on random strings', () => {
    for (const ok of ['gw-1', 'Gerät Süd ✓', 'مستشفى', '病院 3F', 'a b', 'x'.repeat(255)])
      expect(name.check(ok), ok).toBe(true)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc
            .array(fc.constantFrom('a', ' ', '\u2028', '\n', '\u202e', 'é', '\t'), { maxLength: 6 })
            .map((a) => a.join('')),
        ),
        (s) => {
          const expected = s.trim() !== '' && ![...s].some((c) => FORBIDDEN.includes(c))
          return isSafeName(s) === expected && (s.length <= 255 ? name.check(s) === expected : true)
        },
      ),
    )
  })
})
