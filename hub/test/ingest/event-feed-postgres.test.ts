/**
 * Several hubs on PostgreSQL: a device event delivered several times is stored once by the database and
 * must reach the dashboards once. Copies that reach one hub before its first is committed go into the
 * same database round, where none of them is refused (the database refuses a copy only against a row
 * already stored), so the hub itself must not announce them all (a real hub on a real PostgreSQL 15).
 */
import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectEnrolled, enroll, metric, testHub, until } from '../helpers.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

it('announces a sequenced event sent several times at once in one feed item', async () => {
  const hub = await testHub({ databaseUrl: await server.createDatabase() })
  const items: string[] = []
  hub.app.hub.events.on('feed', (item) => items.push(item.message))
  const dev = await enroll(hub)
  const client = await connectEnrolled(hub, dev)
  const event = {
    v: PROTOCOL_VERSION,
    id: 'evt-twice',
    ts: new Date().toISOString(),
    kind: 'info',
    message: 'sent five times',
    seq: 1,
    epoch: 'feed-once',
  }
  // Published without waiting for each PUBACK: the copies are in the hub before the first commit answers.
  await Promise.all(
    Array.from({ length: 5 }, () =>
      client.publishAsync(topics.device(dev.deviceId, 'event'), JSON.stringify(event), { qos: 1 }),
    ),
  )
  await until(
    async () => (await metric(hub, 'vigil_mqtt_messages_total', { kind: 'event' })) === 5,
    'five copies in',
  )
  await until(() => items.includes(event.message) || undefined, 'the feed item')
  await hub.app.hub.store.commit()
  expect((await hub.app.hub.store.events.read()).filter((r) => r.event.id === event.id)).toHaveLength(1)
  expect(items.filter((m) => m === event.message)).toHaveLength(1)
  client.end(true)
}, 60_000)
