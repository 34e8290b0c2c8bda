import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { gateway } from '../risk/register/fixtures.ts'
import { feedApi, feedHub } from './helpers.ts'
import { Mirror, osvBucket, osvRecords } from './mirror.ts'

/** The real Debian records multiplied with new ids (and newer times), as a large first sync sees them. */
function multiplied(n: number): Map<string, Buffer> {
  const bases = [...osvRecords('Debian').values()].map((b) => JSON.parse(b.toString('utf8')))
  const out = new Map<string, Buffer>()
  for (let i = 0; i < n; i++) {
    const id = `${bases[i % bases.length].id}-Y${i}`
    out.set(id, Buffer.from(JSON.stringify({ ...bases[i % bases.length], id })))
  }
  return out
}

describe('a large first sync shares the hub', () => {
  it('device messages and API requests sent during the sync are answered before the sync ends', async () => {
    const m = await new Mirror().start()
    const records = multiplied(3000)
    await osvBucket(m, 'Debian', records)
    const hub = await feedHub()
    const gw = await gateway(hub, 'gw-1')
    const a = await feedApi(hub)
    const feeds = hub.app.feeds
    if (!feeds) throw new Error('no feeds feature')
    const feed = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'], enabled: false })
    const sync = feeds.startSync(feed.id)
    // Wait until the import itself runs (the download is plain I/O), then talk to the hub.
    while (feeds.isRunning(feed.id) && (hub.app.advisoryIntake?.advisoryCount ?? 0) === 0)
      await new Promise((r) => setTimeout(r, 5))
    const answeredDuringSync: boolean[] = []
    for (let i = 0; i < 5; i++) {
      // A QoS 1 event: the PUBACK comes only once the hub has taken and committed it.
      await gw.client.publishAsync(
        topics.device(gw.deviceId, 'event'),
        JSON.stringify({
          v: 1,
          id: `yield-${i}`,
          ts: new Date().toISOString(),
          kind: 'drift',
          message: `during the sync ${i}`,
        }),
        { qos: 1 },
      )
      const list = await a.call('GET', '/api/v1/feeds')
      expect(list.status).toBe(200)
      answeredDuringSync.push(feeds.isRunning(feed.id))
    }
    const result = await sync
    expect(result).toMatchObject({ ok: true, added: records.size })
    // Every message was acknowledged and every request answered while the sync still ran.
    expect(answeredDuringSync).toEqual([true, true, true, true, true])
  })
})
