import { describe, expect, it } from 'vitest'
import { DEVICE_MESSAGES } from '../../src/index.ts'
import * as wire from '../../src/wire/index.ts'

describe('@vigil/protocol/wire topics', () => {
  it('has the delivery rules of DEVICE_MESSAGES, kind for kind', () => {
    expect(Object.keys(wire.DEVICE_MESSAGE_DELIVERY)).toEqual(Object.keys(DEVICE_MESSAGES))
    for (const kind of wire.DEVICE_MESSAGE_KINDS) {
      const { qos, retained } = DEVICE_MESSAGES[kind]
      expect(wire.DEVICE_MESSAGE_DELIVERY[kind]).toEqual({ qos, retained })
    }
  })
  it('builds and parses the same topics as the full entry', () => {
    expect(wire.parseTopic(wire.topics.device('dev-1', 'state'))).toEqual({
      type: 'device',
      deviceId: 'dev-1',
      kind: 'state',
    })
    expect(wire.parseTopic(wire.topics.command('dev-1'))).toEqual({ type: 'command', deviceId: 'dev-1' })
  })
})
