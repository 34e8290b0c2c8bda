/**
 * Generated tokens, secrets, ids and passwords never begin with '-' (a CLI would take `--token -Xy…`
 * for an option), and tokens made before, which may, are still accepted.
 */
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generatePassword,
  newId,
  newSecret,
  randomToken,
  secretMatches,
  sha256,
} from '../../src/auth/crypto.ts'
import { adminToken, testHub } from '../helpers.ts'

describe('random tokens', () => {
  it('never start with a dash: the first draw that does not, whatever the random bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 8 }),
        (draws) => {
          let i = 0
          const token = randomToken(32, () => Buffer.from(draws[i++] ?? new Uint8Array(32)))
          const expected = [...draws, new Uint8Array(32)]
            .map((d) => Buffer.from(d).toString('base64url'))
            .find((t) => !t.startsWith('-'))
          expect(token).toBe(expected)
          expect(token).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/)
        },
      ),
    )
    // A draw beginning with '-' (first six bits all 1 but one: 0xf8) is drawn again.
    const dash = Buffer.alloc(32, 0xf8)
    expect(dash.toString('base64url')).toMatch(/^-/)
    const again = [dash, dash, Buffer.alloc(32, 1)]
    expect(randomToken(32, () => again.shift() as Buffer)).toBe(Buffer.alloc(32, 1).toString('base64url'))
  })

  it('as generated (2,000 of each kind: 31 would begin with a dash by chance) pass as a --token value', () => {
    for (const make of [newSecret, newId, generatePassword]) {
      const made = Array.from({ length: 2000 }, make)
      expect(made.filter((t) => t.startsWith('-'))).toEqual([])
      for (const token of made.slice(0, 50)) {
        const { values } = parseArgs({ args: ['--token', token], options: { token: { type: 'string' } } })
        expect(values.token).toBe(token)
      }
    }
  })

  it('made before, beginning with a dash, still authenticate', async () => {
    const old = `-${newSecret().slice(1)}`
    expect(secretMatches(old, sha256(old))).toBe(true)
    const hub = await testHub()
    const admin = await adminToken(hub)
    // An API token the hub once issued: a session whose token begins with '-'.
    const sessions = hub.app.hub.store.sessions
    const [held] = sessions.values()
    if (!held) throw new Error('no session')
    sessions.put({ ...held, id: sha256(old) })
    const r = await hub.app.inject({ url: '/api/v1/session', headers: { authorization: `Bearer ${old}` } })
    expect(r.json()).toMatchObject({ signedIn: true })
    expect(admin).not.toBe(old)
    await hub.close()
  })
})
