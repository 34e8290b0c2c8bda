import { describe, expect, it } from 'vitest'
import {
  gateway,
  inventory,
  api as registerApi,
  VULNERABLE,
  waitFindings,
} from '../risk/register/fixtures.ts'
import { documentsIn, feedApi, feedHub } from './helpers.ts'
import { epssGz, kevCatalog, Mirror, osvBucket, osvRecords } from './mirror.ts'

describe('osv feeds', () => {
  it('first sync streams all.zip, the device gets its finding at once; then only changed records are fetched', async () => {
    const m = await new Mirror().start()
    const records = osvRecords('Debian')
    const heldId = [...records.keys()].find((id) => id !== 'DLA-3012-1')
    const held = heldId ? records.get(heldId) : undefined
    if (!heldId || !held) throw new Error('no test data')
    records.delete(heldId)
    const bucket = await osvBucket(m, 'Debian', records)
    const hub = await feedHub()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'] })

    const first = await a.sync(feed.id)
    expect(first).toMatchObject({ ok: true, added: records.size, refused: [] })
    expect(m.take()).toEqual(['GET /osv/Debian/all.zip'])
    // no restart: the running hub's correlation has it
    const r = await registerApi(hub, a.token)
    const [f] = await waitFindings(r, gw.deviceId, (fs) => fs.length === 1, 'finding from the OSV feed')
    expect(f?.advisory).toBe('DLA-3012-1')

    // nothing changed upstream: only the change list, and its second fetch is a 304
    expect((await a.sync(feed.id)).added).toBe(0)
    expect((await a.sync(feed.id)).added).toBe(0)
    expect(m.take()).toEqual(['GET /osv/Debian/modified_id.csv', 'GET /osv/Debian/modified_id.csv'])

    bucket.publish(heldId, held, '2099-01-01T00:00:00Z')
    const inc = await a.sync(feed.id)
    expect(inc).toMatchObject({ ok: true, added: 1 })
    expect(documentsIn(m.take())).toEqual([`GET /osv/Debian/${heldId}.json`])
    expect(hub.app.feeds?.stateOf(feed.id)?.osvCursor?.Debian).toBe('2099-01-01T00:00:00Z')
  })

  it('a truncated zip fails the sync and leaves no cursor, so the next sync starts over', async () => {
    const m = await new Mirror().start()
    await osvBucket(m, 'Debian', osvRecords('Debian'))
    const whole = m.files.get('/osv/Debian/all.zip')
    if (!whole) throw new Error('no zip')
    m.put('/osv/Debian/all.zip', whole.subarray(0, Math.floor(whole.length * 0.6)))
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'] })
    const r = await a.sync(feed.id)
    expect(r.ok).toBe(false)
    expect(r.error).toMatch(/damaged or truncated zip/)
    expect(hub.app.feeds?.stateOf(feed.id)?.osvCursor?.Debian).toBeUndefined()
    m.put('/osv/Debian/all.zip', whole)
    m.take()
    expect(await a.sync(feed.id)).toMatchObject({ ok: true, added: osvRecords('Debian').size })
    expect(m.take()).toEqual(['GET /osv/Debian/all.zip'])
  })

  it('a stalled server times out (retried once) and fails only that feed; a 404 record is refused', async () => {
    const m = await new Mirror().start()
    const bucket = await osvBucket(m, 'Debian', osvRecords('Debian'))
    await osvBucket(m, 'Alpine', osvRecords('Alpine'))
    const hub = await feedHub()
    const a = await feedApi(hub)
    const debian = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'] })
    expect((await a.sync(debian.id)).ok).toBe(true)
    let stalled = 0
    m.overrides.set('/osv/Alpine/all.zip', () => {
      stalled++ // never answers
    })
    const alpine = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Alpine'] })
    bucket.publish('DLA-9999-1', Buffer.from('{}'), '2099-01-01T00:00:00Z')
    m.files.delete('/osv/Debian/DLA-9999-1.json')
    const [ra, rd] = await Promise.all([a.sync(alpine.id), a.sync(debian.id)])
    expect(ra.ok).toBe(false)
    expect(ra.error).toMatch(/timed out/)
    expect(stalled).toBe(2)
    expect(rd.ok).toBe(true)
    expect(rd.refused).toEqual([
      { url: `${m.url}/osv/Debian/DLA-9999-1.json`, reason: expect.stringMatching(/404/) },
    ])
  })
})

describe('kev and epss feeds', () => {
  it('imports the catalog and the scores; an unchanged catalog costs one 304', async () => {
    const m = await new Mirror().start()
    m.put('/kev/known_exploited_vulnerabilities.json', kevCatalog())
    m.put('/epss/epss_scores-current.csv.gz', epssGz([['CVE-2022-29824', 0.61234]]))
    await osvBucket(m, 'Debian', osvRecords('Debian'))
    const hub = await feedHub()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const a = await feedApi(hub)
    const osv = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'] })
    const kev = await a.add({ kind: 'kev', url: `${m.url}/kev/known_exploited_vulnerabilities.json` })
    const epss = await a.add({ kind: 'epss', url: `${m.url}/epss/epss_scores-current.csv.gz` })
    await a.sync(osv.id)
    expect(await a.sync(kev.id)).toMatchObject({ ok: true, updated: 1 })
    expect(await a.sync(epss.id)).toMatchObject({ ok: true, updated: 1 })
    const r = await registerApi(hub, a.token)
    const [f] = await waitFindings(r, gw.deviceId, (fs) => fs[0]?.epss !== undefined, 'EPSS score')
    expect(f?.epss).toBe(0.61234)
    expect(hub.app.advisoryIntake?.advisoryCount).toBeGreaterThan(0)
    m.take()
    expect(await a.sync(kev.id)).toMatchObject({ ok: true, updated: 0, unchanged: 1 })
    expect(m.take()).toEqual(['GET /kev/known_exploited_vulnerabilities.json'])

    m.put('/epss/epss_scores-current.csv.gz', Buffer.from('not gzip at all'))
    const bad = await a.sync(epss.id)
    expect(bad.ok).toBe(false)
    expect(bad.error).toMatch(/refused|EPSS|CSV/)
  })
})
