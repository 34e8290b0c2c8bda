import type { AdvisoryStatus, FeedView } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { FeedDb } from '../../src/feeds/db.ts'
import { PRESETS } from '../../src/feeds/presets.ts'
import { FeedService } from '../../src/feeds/service.ts'
import { importTexts } from '../../src/risk/advisories/index.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { metric, tempDir, until } from '../helpers.ts'
import { feedApi, feedHub } from './helpers.ts'
import { cisaDocs, csafProvider, Mirror, osvBucket, osvRecords } from './mirror.ts'

describe('feeds API', () => {
  it('a fresh hub offers the presets, off; admins add, edit, pause and remove feeds; other roles get 403', async () => {
    const hub = await feedHub()
    const a = await feedApi(hub)
    const feeds = await a.list()
    expect(feeds.map((f) => f.id).sort()).toEqual(PRESETS.map((p) => p.id).sort())
    expect(feeds.every((f) => f.preset && !f.enabled && f.nextSyncAt === null)).toBe(true)

    const f = await a.add({ kind: 'osv', url: 'http://mirror.internal:8000/osv', ecosystems: ['Debian'] })
    expect(f).toMatchObject({ enabled: true, intervalMinutes: 60, ecosystems: ['Debian'] })
    expect(f.nextSyncAt).toBe(f.createdAt) // never synced: due now
    expect((await a.call('POST', '/api/v1/feeds', { kind: 'osv', url: 'http://x.test/osv' })).status).toBe(
      400,
    )
    expect((await a.call('POST', '/api/v1/feeds', { kind: 'rss', url: 'http://x.test/' })).status).toBe(400)
    expect((await a.call('POST', '/api/v1/feeds', { kind: 'kev', url: 'file:///etc/passwd' })).status).toBe(
      400,
    )

    const paused = await a.call('PATCH', `/api/v1/feeds/${f.id}`, { enabled: false, intervalMinutes: 30 })
    expect(paused.status).toBe(200)
    expect(paused.body).toMatchObject({ enabled: false, intervalMinutes: 30, nextSyncAt: null })
    expect((await a.call('PATCH', '/api/v1/feeds/nope', { enabled: true })).status).toBe(404)

    await a.call('POST', '/api/v1/users', {
      username: 'olga',
      password: 'operator pass 12',
      role: 'operator',
    })
    const s = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'olga', password: 'operator pass 12' },
    })
    const op = await feedApi(hub, s.json<{ token: string }>().token)
    expect((await op.call('GET', '/api/v1/feeds')).status).toBe(403)
    expect(
      (await op.call('POST', '/api/v1/feeds', { kind: 'kev', url: 'http://x.test/kev.json' })).status,
    ).toBe(403)
    expect((await op.call('POST', `/api/v1/feeds/${f.id}/sync`)).status).toBe(403)
    expect((await op.call('DELETE', `/api/v1/feeds/${f.id}`)).status).toBe(403)
    // the posture notice is for every staff role
    const status = await op.call('GET', '/api/v1/feeds/status')
    expect(status.status).toBe(200)
    expect((status.body as AdvisoryStatus).notice).toMatch(/no advisories/)

    expect((await a.call('DELETE', `/api/v1/feeds/${f.id}`)).status).toBe(204)
    expect((await a.list()).some((x) => x.id === f.id)).toBe(false)
    expect((await a.call('DELETE', `/api/v1/feeds/${f.id}`)).status).toBe(404)
  })

  it('a feed removed mid-sync stops, keeps nothing, and the other feeds go on; the scheduler runs due feeds', async () => {
    const m = await new Mirror().start()
    const p = await csafProvider(m, 'csaf', 'directory', cisaDocs(3))
    await osvBucket(m, 'Debian', osvRecords('Debian'))
    let stalled = false
    const [first] = cisaDocs(1)
    m.overrides.set(`/csaf/white/${first?.path}`, () => {
      stalled = true // never answers
    })
    const hub = await feedHub()
    const a = await feedApi(hub)
    const csaf = await a.add({ kind: 'csaf-provider', url: p.metadata })
    const osv = await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'] })
    const feeds = hub.app.feeds
    if (!feeds) throw new Error('no feeds feature')
    // the scheduler starts both (due: never synced); the CSAF one stalls on a document
    const started = feeds.tick()
    expect(started.sort()).toEqual([csaf.id, osv.id].sort())
    await until(() => stalled || undefined, 'the stalled request')
    const view = (await a.list()).find((f) => f.id === csaf.id) as FeedView
    expect(view.running?.phase).toBe('documents')
    expect((await a.call('DELETE', `/api/v1/feeds/${csaf.id}`)).status).toBe(204)
    const aborted = await feeds.startSync(osv.id)
    expect(aborted.ok).toBe(true)
    await until(() => !feeds.isRunning(csaf.id) || undefined, 'the removed feed stops')
    expect(feeds.stateOf(csaf.id)).toBeUndefined()
    expect((await a.list()).map((f) => f.id)).not.toContain(csaf.id)
    // synced feeds are not due again until their interval has passed
    expect(feeds.tick()).toEqual([])
    expect(await metric(hub, 'vigil_feed_last_success_timestamp_seconds', { kind: 'osv' })).toBeGreaterThan(0)
    const status = (await a.call('GET', '/api/v1/feeds/status')).body as AdvisoryStatus
    expect(status.notice).toBeNull()
  })

  it('feeds failing for more than a day make the posture notice say so; metrics count the errors', async () => {
    const m = await new Mirror().start()
    m.overrides.set('/down/provider-metadata.json', (_req, res) => {
      res.writeHead(503).end()
    })
    const hub = await feedHub()
    const a = await feedApi(hub)
    const down = await a.add({
      kind: 'csaf-provider',
      url: `${m.url}/down/provider-metadata.json`,
      name: 'Down provider',
    })
    expect((await a.sync(down.id)).ok).toBe(false)
    expect(await metric(hub, 'vigil_feed_sync_errors_total', { feed: 'Down provider' })).toBe(1)
    expect(await metric(hub, 'vigil_feed_last_sync_ok', { feed: 'Down provider' })).toBe(0)

    // the same service a day and a minute later (its clock is the only thing moved)
    const dir = await tempDir()
    const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
    onTestFinished(() => store.close())
    const { db } = await FeedDb.open(store)
    let now = Date.parse('2026-12-01T00:00:00Z')
    const svc = new FeedService({
      db,
      intake: { importTexts: (texts) => importTexts(texts), advisoryCount: 42 },
      tempDir: dir,
      http: { timeoutMs: 500, retries: 0, backoffMs: 1 },
      now: () => now,
    })
    const f = svc.create({
      kind: 'csaf-provider',
      url: `${m.url}/down/provider-metadata.json`,
      name: 'Down provider',
    })
    expect((await svc.startSync(f.id)).ok).toBe(false)
    expect(svc.status().notice).toBeNull()
    now += 24 * 3600 * 1000 + 60_000
    expect((await svc.startSync(f.id)).ok).toBe(false)
    expect(svc.status()).toMatchObject({
      failing: [{ id: f.id, name: 'Down provider', since: '2026-12-01T00:00:00.000Z' }],
      notice: expect.stringMatching(/out of date: Down provider failing since 2026-12-01/),
    })
    await svc.close()
  })
})
