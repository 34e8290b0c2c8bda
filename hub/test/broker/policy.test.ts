import { parseTopic, topics } from '@vigil/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../../src/auth/crypto.ts'
import {
  authorizeConnect,
  authorizePublish,
  authorizeSubscribe,
  PacketSizeGuard,
  TokenBucket,
} from '../../src/broker/policy.ts'

const device = { secretHash: sha256('s3cret'), disabled: false }

describe('authorizeConnect', () => {
  const ok = { clientId: 'dev1', username: 'dev1', password: Buffer.from('s3cret'), device }
  it('admits an enrolled device with its secret and clientId == username', () => {
    expect(authorizeConnect(ok)).toEqual({ ok: true })
  })
  it.each([
    ['anonymous', { username: undefined, password: undefined }],
    ['anonymous', { password: Buffer.alloc(0) }],
    ['client-id', { clientId: 'dev2' }],
    ['unknown-device', { device: undefined }],
    ['bad-password', { password: Buffer.from('s3cret!') }],
    ['disabled', { device: { ...device, disabled: true } }],
  ] as const)('refuses: %s', (reason, patch) => {
    expect(authorizeConnect({ ...ok, ...patch })).toMatchObject({ ok: false, reason })
  })
})

describe('authorizePublish', () => {
  const base = { clientId: 'dev1', retain: false, payloadBytes: 10, maxPayloadBytes: 100 }
  it('allows every known kind under its own id', () => {
    for (const kind of [
      'state',
      'telemetry',
      'inventory',
      'hardening',
      'event',
      'rollout',
      'cmd/res',
    ] as const) {
      expect(
        authorizePublish({ ...base, topic: topics.device('dev1', kind), retain: kind === 'state' }),
      ).toEqual({
        ok: true,
      })
    }
  })
  it('refuses another device’s topic, fleet and command topics', () => {
    for (const topic of [
      topics.device('dev2', 'state'),
      topics.baseline(),
      topics.command('dev1'),
      'other/topic',
    ]) {
      expect(authorizePublish({ ...base, topic })).toMatchObject({ ok: false, reason: 'foreign-topic' })
    }
  })
  it('refuses unknown kinds under its own id', () => {
    expect(authorizePublish({ ...base, topic: 'vigil/v1/dev/dev1/secrets' })).toMatchObject({
      ok: false,
      reason: 'unknown-kind',
    })
  })
  it('refuses retained messages except the state', () => {
    expect(
      authorizePublish({ ...base, topic: topics.device('dev1', 'telemetry'), retain: true }),
    ).toMatchObject({
      reason: 'retain',
    })
  })
  it('refuses oversize payloads', () => {
    expect(
      authorizePublish({ ...base, topic: topics.device('dev1', 'event'), payloadBytes: 101 }),
    ).toMatchObject({
      reason: 'oversize',
    })
  })
  it('never lets a device publish under an id other than its own (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), fc.string(), (other, tail) => {
        fc.pre(other !== 'dev1')
        expect(authorizePublish({ ...base, topic: `vigil/v1/dev/${other}/${tail}` }).ok).toBe(false)
      }),
    )
  })
  it('judges a topic parsed by the caller (the broker reuses parses) as it judges the raw topic', () => {
    const own = topics.device('dev1', 'telemetry')
    const foreign = topics.device('dev2', 'telemetry')
    expect(authorizePublish({ ...base, topic: own }, parseTopic(own))).toEqual({ ok: true })
    // A device holding another device's parsed topic gains nothing: the id in the parse is checked.
    expect(authorizePublish({ ...base, topic: foreign }, parseTopic(foreign))).toMatchObject({
      reason: 'foreign-topic',
    })
  })
})

describe('authorizeSubscribe', () => {
  it('allows its own command topic and the fleet topics only', () => {
    expect(authorizeSubscribe('dev1', topics.command('dev1'))).toBe(true)
    expect(authorizeSubscribe('dev1', topics.baseline())).toBe(true)
    expect(authorizeSubscribe('dev1', 'vigil/v1/fleet/manifest')).toBe(false)
    expect(authorizeSubscribe('dev1', topics.command('dev2'))).toBe(false)
    expect(authorizeSubscribe('dev1', '#')).toBe(false)
    expect(authorizeSubscribe('dev1', 'vigil/v1/dev/+/#')).toBe(false)
    expect(authorizeSubscribe('bad/id', 'vigil/v1/dev/bad/id/cmd/req')).toBe(false)
  })
})

describe('TokenBucket', () => {
  it('lets a burst through, then spaces messages at the rate', () => {
    const bucket = new TokenBucket(10, 3, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0])
    expect(bucket.take(0)).toBe(100)
    // after a second the bucket is full again (capped at the burst)
    expect(bucket.take(2000)).toBe(0)
  })
})

describe('PacketSizeGuard', () => {
  const publish = (payloadBytes: number) => {
    // PUBLISH QoS 0, topic "t": remaining length = 2 + 1 + payload
    const remaining = 3 + payloadBytes
    const len: number[] = []
    let x = remaining
    do {
      let byte = x % 128
      x = Math.floor(x / 128)
      if (x > 0) byte |= 0x80
      len.push(byte)
    } while (x > 0)
    return Buffer.concat([Buffer.from([0x30, ...len, 0, 1, 0x74]), Buffer.alloc(payloadBytes, 0x61)])
  }
  it('passes packets within the limit, across chunk boundaries', () => {
    const guard = new PacketSizeGuard(1000)
    const stream = Buffer.concat([publish(10), publish(500), publish(0)])
    for (let i = 0; i < stream.length; i += 7) expect(guard.feed(stream.subarray(i, i + 7))).toBeUndefined()
  })
  it('flags an oversize packet from its header alone', () => {
    const guard = new PacketSizeGuard(1000)
    expect(guard.feed(publish(10))).toBeUndefined()
    expect(guard.feed(publish(5000).subarray(0, 4))).toBe(5003)
  })
  it('flags a malformed remaining length', () => {
    expect(new PacketSizeGuard(1000).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(-1)
  })
})
