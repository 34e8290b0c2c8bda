import { topics } from '@vigil/protocol'
import { Aedes } from 'aedes'
import { describe, expect, it, onTestFinished } from 'vitest'
import { hubPersistence } from '../../src/broker/persistence.ts'

type RetainedSource = { createRetainedStream(pattern: string): AsyncIterable<{ topic: string }> }

describe('hub persistence', () => {
  it('keeps retained fleet topics but not retained device messages', async () => {
    const persistence = hubPersistence()
    const broker = await Aedes.createBroker({ persistence })
    onTestFinished(() => new Promise<void>((resolve) => broker.close(() => resolve())))
    const publish = (topic: string) =>
      new Promise<void>((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from('{"v":1}'), qos: 1, retain: true, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      )
    await publish(topics.device('dev-1', 'state'))
    await publish(topics.baseline())
    const retained: string[] = []
    for await (const packet of (persistence as unknown as RetainedSource).createRetainedStream('#')) {
      retained.push(packet.topic)
    }
    expect(retained).toEqual([topics.baseline()])
  })
})
