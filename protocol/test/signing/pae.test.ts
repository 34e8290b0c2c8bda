import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64Strict, pae } from '../../src/signing/index.ts'

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')

describe('pae', () => {
  it('matches the DSSE v1 test vector', () => {
    // From the DSSE protocol spec: PAE("http://example.com/HelloWorld", "hello world").
    expect(text(pae('http://example.com/HelloWorld', Buffer.from('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    )
  })
  it('counts bytes, not characters, for a non-ASCII type and body', () => {
    const out = pae('tÿpe', Buffer.from('é', 'utf8'))
    expect(Buffer.from(out).toString('utf8')).toBe('DSSEv1 5 tÿpe 2 é')
  })
  it('encodes an empty body', () => {
    expect(text(pae('t', new Uint8Array()))).toBe('DSSEv1 1 t 0 ')
  })
  it('is injective: different (type, body) pairs never give the same bytes', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), fc.string(), fc.uint8Array(), (t1, b1, t2, b2) => {
        fc.pre(t1 !== t2 || Buffer.compare(Buffer.from(b1), Buffer.from(b2)) !== 0)
        expect(Buffer.compare(Buffer.from(pae(t1, b1)), Buffer.from(pae(t2, b2)))).not.toBe(0)
      }),
    )
  })
})

describe('decodeBase64Strict', () => {
  it('round-trips standard and URL-safe base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const b = Buffer.from(bytes)
        expect(Buffer.from(decodeBase64Strict(b.toString('base64')) ?? [0xff, 0xff]).equals(b)).toBe(true)
        expect(Buffer.from(decodeBase64Strict(b.toString('base64url')) ?? [0xff, 0xff]).equals(b)).toBe(true)
      }),
    )
  })
  it.each([
    ['whitespace inside', 'aGVs bG8='],
    ['a newline', 'aGVsbG8=\n'],
    ['a character outside the alphabet', 'aGVsbG8*'],
    ['mixed alphabets', 'ab+_'],
    ['a lone trailing character', 'aGVsbG8gd'],
    ['padding where none belongs', 'aGVs='],
    ['too much padding', 'aGVsbA==='],
    ['padding in the middle', 'aG==VsbA'],
    ['non-zero trailing bits', 'aGVsbG9='],
  ])('refuses %s', (_, input) => {
    expect(decodeBase64Strict(input)).toBeUndefined()
  })
})
