import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEVICE_MESSAGE_KINDS, parseTopic, topics } from '../src/index.ts'

describe('topics', () => {
  it('builds topics under vigil/v1/', () => {
    expect(topics.device('dev-1', 'state')).toBe('vigil/v1/dev/dev-1/state')
    expect(topics.command('dev-1')).toBe('vigil/v1/dev/dev-1/cmd/req')
    expect(topics.baseline()).toBe('vigil/v1/fleet/baseline')
    expect(topics.sharedAllDevices()).toBe('$share/vigil-hub/vigil/v1/dev/+/#')
  })
  it('refuses ids that would escape the device namespace', () => {
    for (const bad of ['', 'a/b', '+', '#', 'a b', 'x'.repeat(65)])
      expect(() => topics.device(bad, 'state')).toThrow()
  })
  it('parses what it builds', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.constantFrom(...DEVICE_MESSAGE_KINDS),
        (id, kind) => {
          expect(parseTopic(topics.device(id, kind))).toEqual({ type: 'device', deviceId: id, kind })
        },
      ),
    )
  })
  it('rejects unknown kinds and foreign topics', () => {
    expect(parseTopic('vigil/v1/dev/a/unknown')).toBeUndefined()
    expect(parseTopic('vigil/v1/dev/a/state/extra')).toBeUndefined()
    expect(parseTopic('other/dev/a/state')).toBeUndefined()
    expect(parseTopic('vigil/v1/dev/a/cmd/req')).toEqual({ type: 'command', deviceId: 'a' })
  })
})
