import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MANIFEST_PAYLOAD_TYPE } from '../../src/index.ts'
import { signEnvelope, verifyManifest } from '../../src/signing/index.ts'
import { parseStrictJson } from '../../src/signing/strict-json.ts'
import { keys, manifest, now, trusted } from './fixtures.ts'

const parse = (text: string) => parseStrictJson(Buffer.from(text))
const message = (text: string) => {
  const r = parse(text)
  return r.ok ? 'ok' : r.message
}

describe('parseStrictJson', () => {
  it('accepts ordinary JSON, equal keys in different objects, and key-like strings in values', () => {
    expect(message('{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}],"d":"\\"a\\": 1, \\"a\\":"}')).toBe('ok')
  })
  it.each([
    ['{"a":1,"a":2}', '/a'],
    ['{"a":1, "b" : {"c":1,"c":2}}', '/b/c'],
    ['{"list":[{"k":1},{"k":1,"k":2}]}', '/list/1/k'],
    ['{"version":"1","\\u0076ersion":"2"}', '/version'],
  ])('refuses %s (duplicate %s)', (text, path) => {
    expect(message(text)).toBe(`duplicate key ${path}`)
  })
  it('refuses invalid UTF-8 and invalid JSON', () => {
    expect(parseStrictJson(Uint8Array.of(0x7b, 0xff, 0x7d)).ok).toBe(false)
    expect(message('{"a":')).toMatch(/not valid UTF-8 JSON/)
  })
  it('agrees with JSON.parse on any JSON without duplicates', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = parse(JSON.stringify(value))
        expect(r.ok && JSON.stringify(r.value)).toBe(JSON.stringify(value))
      }),
    )
  })
})

describe('a signed manifest with a duplicated key', () => {
  it('is refused with MALFORMED_PAYLOAD, even though correctly signed', () => {
    const text = JSON.stringify(manifest()).replace(
      '"version":"4.2.1"',
      '"version":"4.2.1","version":"9.9.9"',
    )
    const env = signEnvelope(Buffer.from(text), MANIFEST_PAYLOAD_TYPE, [keys.a.privateKeyPem])
    const r = verifyManifest(env, { trustedKeys: trusted(keys.a), threshold: 1, now })
    expect(r.ok ? 'ok' : `${r.code} ${r.message}`).toBe(
      'MALFORMED_PAYLOAD manifest payload: duplicate key /version',
    )
  })
})
