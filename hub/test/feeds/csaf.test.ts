import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { documentsIn, feedApi, feedHub } from './helpers.ts'
import { cisaDocs, csafProvider, Mirror, makeKey, sign } from './mirror.ts'

describe('csaf-provider feeds', () => {
  it('first sync verifies and imports every document; an unchanged second sync fetches only metadata and listings', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(9)
    const held = docs.pop()
    if (!held) throw new Error('no test data')
    const p = await csafProvider(m, 'csaf', 'directory', docs)
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'csaf-provider', url: p.metadata })

    const first = await a.sync(feed.id)
    expect(first).toMatchObject({ ok: true, added: docs.length, updated: 0, refused: [] })
    expect(documentsIn(m.take())).toHaveLength(docs.length)
    const view = (await a.list()).find((f) => f.id === feed.id)
    expect(view?.pinnedKeys).toEqual([p.key.fingerprint])
    expect(view?.lastSuccessAt).toBe(first.at)
    const ids = ((await a.call('GET', '/api/v1/advisories?source=csaf')).body as { total: number }).total
    expect(ids).toBe(docs.length)

    const second = await a.sync(feed.id)
    expect(second).toMatchObject({ ok: true, added: 0, updated: 0 })
    const log = m.take()
    expect(log).toEqual(['GET /csaf/provider-metadata.json', 'GET /csaf/white/changes.csv'])

    // one new document and one re-published (same content, new time): only those two are fetched
    await p.publish(held.path, held.body, '2024-11-01T06:00:00Z')
    const touched = docs[0]
    if (!touched) throw new Error('no test data')
    await p.publish(touched.path, touched.body, '2024-11-02T06:00:00Z')
    const third = await a.sync(feed.id)
    expect(third).toMatchObject({ ok: true, added: 1, unchanged: docs.length })
    expect(documentsIn(m.take()).sort()).toEqual(
      [`GET /csaf/white/${held.path}`, `GET /csaf/white/${touched.path}`].sort(),
    )
  })

  it('refuses a wrong hash, a bad signature, an unknown key and a missing document, imports the rest, and lists them until they change', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(6)
    const p = await csafProvider(m, 'csaf', 'directory', docs)
    const [d0, d1, d2, d3] = docs
    if (!d0 || !d1 || !d2 || !d3) throw new Error('no test data')
    const url = (d: { path: string }) => `${m.url}/csaf/white/${d.path}`
    m.put(`/csaf/white/${d0.path}.sha512`, `${createHash('sha512').update('other').digest('hex')}  x.json\n`)
    m.put(`/csaf/white/${d1.path}.asc`, await sign(Buffer.from('another document'), p.key))
    m.put(`/csaf/white/${d2.path}.asc`, await sign(d2.body, await makeKey('Somebody else')))
    m.files.delete(`/csaf/white/${d3.path}`)
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'csaf-provider', url: p.metadata })

    const r = await a.sync(feed.id)
    expect(r.ok).toBe(true)
    expect(r.added).toBe(docs.length - 4)
    const reasons = new Map(r.refused.map((x) => [x.url, x.reason]))
    expect(reasons.get(url(d0))).toMatch(/sha512 mismatch/)
    expect(reasons.get(url(d1))).toMatch(/bad OpenPGP signature/)
    expect(reasons.get(url(d2))).toMatch(/unknown key/)
    expect(reasons.get(url(d3))).toMatch(/404/)
    expect(reasons.size).toBe(4)

    // still listed by the next sync, which fetches again only the one it could not get
    m.take()
    const again = await a.sync(feed.id)
    expect(again.refused).toHaveLength(4)
    expect(documentsIn(m.take())).toEqual([`GET /csaf/white/${d3.path}`])

    // the provider fixes one: it is fetched, verified and imported, and no longer listed
    await p.publish(d1.path, d1.body, '2024-12-01T00:00:00Z')
    const fixed = await a.sync(feed.id)
    expect(fixed.added).toBe(1)
    expect(fixed.refused.map((x) => x.url)).not.toContain(url(d1))
    expect(fixed.refused).toHaveLength(3)
  })

  it('without changes.csv the directory index.txt lists the documents; a wrong .sha256 alone refuses one, none at all refuses too', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(4)
    const p = await csafProvider(m, 'csaf', 'directory', docs)
    const [d0, d1] = docs
    if (!d0 || !d1) throw new Error('no test data')
    m.files.delete('/csaf/white/changes.csv')
    m.put(`/csaf/white/${d0.path}.sha256`, `${createHash('sha256').update('other').digest('hex')}  x.json\n`)
    m.files.delete(`/csaf/white/${d1.path}.sha256`)
    m.files.delete(`/csaf/white/${d1.path}.sha512`)
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'csaf-provider', url: p.metadata })
    const r = await a.sync(feed.id)
    expect(r).toMatchObject({ ok: true, added: docs.length - 2 })
    const reasons = new Map(r.refused.map((x) => [x.url, x.reason]))
    expect(reasons.get(`${m.url}/csaf/white/${d0.path}`)).toMatch(/^sha256 mismatch/)
    expect(reasons.get(`${m.url}/csaf/white/${d1.path}`)).toMatch(/no \.sha256 or \.sha512/)
    expect(reasons.size).toBe(2)
    expect(m.take()).toEqual(
      expect.arrayContaining(['GET /csaf/white/changes.csv', 'GET /csaf/white/index.txt']),
    )
  })

  it('a schema failure is refused with the importer reason; malformed changes.csv lines are listed and the rest goes on', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(3)
    const broken = { path: '2099/broken.json', body: Buffer.from('{"document": {"category": "csaf_base"}}') }
    const p = await csafProvider(m, 'csaf', 'directory', [...docs, broken])
    const csv = m.files.get('/csaf/white/changes.csv')?.toString() ?? ''
    m.put('/csaf/white/changes.csv', `${csv}this is not a change line\n"2019/x.json",not-a-time\n`)
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'csaf-provider', url: p.metadata })
    const r = await a.sync(feed.id)
    expect(r.ok).toBe(true)
    expect(r.added).toBe(docs.length)
    const reasons = r.refused.map((x) => `${x.url} ${x.reason}`)
    expect(reasons.some((x) => x.includes('broken.json') && /schema|CSAF|csaf/.test(x))).toBe(true)
    expect(reasons.filter((x) => x.includes('malformed changes.csv'))).toHaveLength(2)
  })

  it('a distribution that cannot be read (a TLP:AMBER feed needing credentials) is listed; the others go on', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(2)
    const p = await csafProvider(m, 'csaf', 'directory', docs)
    const meta = JSON.parse(m.files.get('/csaf/provider-metadata.json')?.toString() ?? '{}')
    meta.distributions.push({
      rolie: { feeds: [{ tlp_label: 'AMBER', url: `${m.url}/csaf/amber/feed.json` }] },
    })
    m.put('/csaf/provider-metadata.json', JSON.stringify(meta))
    m.overrides.set('/csaf/amber/feed.json', (_req, res) => {
      res.writeHead(401).end()
    })
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'csaf-provider', url: p.metadata })
    const r = await a.sync(feed.id)
    expect(r).toMatchObject({ ok: true, added: docs.length })
    expect(r.refused).toEqual([
      {
        url: `${m.url}/csaf/amber/feed.json`,
        reason: expect.stringMatching(/distribution not readable: .*HTTP 401/),
      },
    ])
  })

  it('ROLIE distribution, and discovery from a bare domain through .well-known or security.txt', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(4)
    const rolie = await csafProvider(m, 'rolie', 'rolie', docs)
    const hub = await feedHub()
    const a = await feedApi(hub)
    const f1 = await a.add({ kind: 'csaf-provider', url: rolie.metadata })
    expect(await a.sync(f1.id)).toMatchObject({ ok: true, added: docs.length, refused: [] })
    m.take()
    expect((await a.sync(f1.id)).added).toBe(0)
    expect(m.take()).toEqual(['GET /rolie/provider-metadata.json', 'GET /rolie/white/feed-tlp-white.json'])

    // a second mirror serves its provider at the well-known path only
    const m2 = await new Mirror().start()
    const other = cisaDocs(6).slice(4)
    await csafProvider(m2, '.well-known/csaf', 'directory', other)
    const f2 = await a.add({ kind: 'csaf-provider', url: m2.url })
    const r = await a.sync(f2.id)
    expect(r).toMatchObject({ ok: true, added: other.length })

    // a third serves none there, but names its provider in security.txt
    const m3 = await new Mirror().start()
    const third = await csafProvider(m3, 'advisories/csaf', 'directory', cisaDocs(7).slice(6))
    m3.put('/.well-known/security.txt', `Contact: mailto:psirt@example.test\nCSAF: ${third.metadata}\n`)
    const f3 = await a.add({ kind: 'csaf-provider', url: `${m3.url}/` })
    expect(await a.sync(f3.id)).toMatchObject({ ok: true, added: 1 })
    expect(m3.take().slice(0, 3)).toEqual([
      'GET /.well-known/csaf/provider-metadata.json',
      'GET /.well-known/security.txt',
      'GET /advisories/csaf/provider-metadata.json',
    ])
  })

  it('an unreachable provider fails that feed only, with the reason; 500s are retried', async () => {
    const m = await new Mirror().start()
    const p = await csafProvider(m, 'csaf', 'directory', cisaDocs(2))
    const hub = await feedHub()
    const a = await feedApi(hub)
    const good = await a.add({ kind: 'csaf-provider', url: p.metadata })
    let calls = 0
    m.overrides.set('/broken/provider-metadata.json', (_req, res) => {
      calls++
      res.writeHead(500).end('oops')
    })
    const bad = await a.add({ kind: 'csaf-provider', url: `${m.url}/broken/provider-metadata.json` })
    const [rb, rg] = await Promise.all([a.sync(bad.id), a.sync(good.id)])
    expect(rb.ok).toBe(false)
    expect(rb.error).toMatch(/HTTP 500/)
    expect(calls).toBe(2) // one retry (feedRetries 1)
    expect(rg).toMatchObject({ ok: true, added: 2 })
    const views = await a.list()
    expect(views.find((f) => f.id === bad.id)?.lastSuccessAt).toBeUndefined()
  })

  it('csaf-aggregator: lists providers and mirrors, syncs only the picked ones, each with its own keys', async () => {
    const m = await new Mirror().start()
    const a1 = await csafProvider(m, 'vendor-a', 'directory', cisaDocs(2))
    const b1 = await csafProvider(m, 'vendor-b', 'rolie', cisaDocs(5).slice(2))
    // the aggregator mirrors vendor B under its own path (same files, same key)
    const mirrorB = await csafProvider(m, 'agg/mirror/vendor-b', 'directory', cisaDocs(5).slice(2), b1.key)
    m.put(
      '/agg/aggregator.json',
      JSON.stringify({
        aggregator: { category: 'aggregator', name: 'Test aggregator', namespace: 'https://example.test' },
        aggregator_version: '2.0',
        canonical_url: `${m.url}/agg/aggregator.json`,
        csaf_providers: [
          { metadata: { url: a1.metadata, publisher: { name: 'Vendor A' }, role: 'csaf_trusted_provider' } },
          {
            metadata: { url: b1.metadata, publisher: { name: 'Vendor B' }, role: 'csaf_trusted_provider' },
            mirrors: [mirrorB.metadata],
          },
        ],
        last_updated: '2024-10-24T00:00:00Z',
      }),
    )
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feed = await a.add({ kind: 'csaf-aggregator', url: `${m.url}/agg/aggregator.json` })
    const listing = await a.sync(feed.id)
    expect(listing, listing.error).toMatchObject({ ok: true, added: 0 })
    const view = (await a.list()).find((f) => f.id === feed.id)
    expect(view?.available).toEqual([
      { name: 'Vendor A', url: a1.metadata, mirrors: [] },
      { name: 'Vendor B', url: b1.metadata, mirrors: [mirrorB.metadata] },
    ])

    // the admin picks vendor B's mirror and a URL the aggregator does not list
    const picked = await a.call('PATCH', `/api/v1/feeds/${feed.id}`, {
      providers: [mirrorB.metadata, `${m.url}/elsewhere/provider-metadata.json`],
    })
    expect(picked.status).toBe(200)
    m.take()
    const r = await a.sync(feed.id)
    expect(r).toMatchObject({ ok: true, added: 3 })
    expect(r.refused).toEqual([
      {
        url: `${m.url}/elsewhere/provider-metadata.json`,
        reason: expect.stringMatching(/not listed by the aggregator/),
      },
    ])
    const log = m.take()
    expect(log.some((l) => l.includes('/vendor-a/'))).toBe(false)
    expect(log.some((l) => l.startsWith('GET /vendor-b/'))).toBe(false)
    expect((await a.list()).find((f) => f.id === feed.id)?.pinnedKeys).toEqual([b1.key.fingerprint])
  })
})
