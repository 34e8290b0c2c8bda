import type { AdvisoryFilesResult, AdvisoryStatus, BundleResult, FeedView } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import AdvisoryNotice from '../../src/components/AdvisoryNotice.vue'
import FeedsPage from '../../src/pages/FeedsPage.vue'
import { fakeApi } from '../fake-api.ts'
import { testRouter } from '../helpers.ts'

function feed(over: Partial<FeedView>): FeedView {
  return {
    id: 'f1',
    kind: 'csaf-provider',
    name: 'Mirror CSAF',
    url: 'http://mirror.internal/csaf/provider-metadata.json',
    enabled: true,
    intervalMinutes: 60,
    preset: false,
    createdAt: '2026-12-01T00:00:00.000Z',
    nextSyncAt: '2026-12-01T02:00:00.000Z',
    ...over,
  }
}

describe('FeedsPage', () => {
  it('shows state, counts and refused documents with reasons; Sync now, Enable and Add call the API', async () => {
    const feeds: FeedView[] = [
      feed({
        lastSuccessAt: '2026-12-01T01:00:00.000Z',
        pinnedKeys: ['ABCDEF0123456789ABCDEF0123456789ABCDEF01'],
        lastSync: {
          at: '2026-12-01T01:00:00.000Z',
          ok: true,
          added: 7,
          updated: 1,
          unchanged: 3,
          refused: [{ url: 'http://mirror.internal/csaf/white/2019/x.json', reason: 'sha512 mismatch' }],
          requests: 30,
          bytes: 1000,
        },
      }),
      feed({
        id: 'preset-kev',
        kind: 'kev',
        name: 'CISA KEV',
        enabled: false,
        preset: true,
        nextSyncAt: null,
      }),
      feed({
        id: 'f3',
        kind: 'osv',
        name: 'OSV Debian',
        ecosystems: ['Debian'],
        running: { phase: 'Debian: importing', done: 250, total: 1000 },
      }),
    ]
    const calls = fakeApi({
      'GET /api/v1/feeds': () => ({ body: { feeds } }),
      'POST /api/v1/feeds/f1/sync': () => ({ status: 202, body: feeds[0] }),
      'PATCH /api/v1/feeds/preset-kev': (body) => ({ body: { ...feeds[1], ...(body as object) } }),
      'POST /api/v1/feeds': (body) => ({ status: 201, body: feed({ id: 'f4', ...(body as object) }) }),
    })
    const router = testRouter()
    const w = mount(FeedsPage, { global: { plugins: [router] } })
    await flushPromises()
    const row = (id: string) => w.find(`[data-feed="${id}"]`)
    expect(row('f1').text()).toContain('7 added, 1 updated, 3 unchanged')
    expect(row('f1').text()).toContain('1 refused')
    expect(row('f1').text()).toContain('sha512 mismatch')
    expect(row('f1').text()).toContain('OpenPGP pinned: ABCDEF0123456789ABCDEF0123456789ABCDEF01')
    expect(row('preset-kev').text()).toContain('Off')
    expect(row('f3').text()).toContain('Syncing: Debian: importing 250/1000')
    expect(row('f3').find('progress').attributes('value')).toBe('250')

    await row('f1')
      .findAll('button')
      .find((b) => b.text() === 'Sync now')
      ?.trigger('click')
    await flushPromises()
    await row('preset-kev')
      .findAll('button')
      .find((b) => b.text() === 'Enable')
      ?.trigger('click')
    await flushPromises()
    await w.find('#feed-kind').setValue('osv')
    await w.find('#feed-url').setValue('http://mirror.internal/osv')
    await w.find('#feed-eco').setValue('Debian, Alpine')
    await w.find('form.row-form').trigger('submit')
    await flushPromises()
    const sent = calls.filter((c) => c.method !== 'GET').map((c) => [c.method, c.path, c.body])
    expect(sent).toEqual([
      ['POST', '/api/v1/feeds/f1/sync', undefined],
      ['PATCH', '/api/v1/feeds/preset-kev', { enabled: true }],
      [
        'POST',
        '/api/v1/feeds',
        {
          kind: 'osv',
          url: 'http://mirror.internal/osv',
          ecosystems: ['Debian', 'Alpine'],
          intervalMinutes: 60,
        },
      ],
    ])
    w.unmount()
  })
})

describe('FeedsPage Import advisories', () => {
  it('uploads the chosen files (base64) and shows the per-file results', async () => {
    const result: AdvisoryFilesResult = {
      files: [
        { name: 'dla.json', imported: ['DLA-3012-1'], updated: [], skipped: [], kev: 0, epss: 0 },
        { name: 'bundle.zip#kev.json', imported: [], updated: [], skipped: [], kev: 1200, epss: 0 },
        {
          name: 'bad.json',
          imported: [],
          updated: [],
          skipped: [],
          refused: 'not an OSV record',
          kev: 0,
          epss: 0,
        },
      ],
      imported: 1,
      updated: 0,
      refused: 1,
      advisories: 372,
    }
    const calls = fakeApi({
      'GET /api/v1/feeds': () => ({ body: { feeds: [] } }),
      'POST /api/v1/advisories/import': () => ({ body: result }),
    })
    const w = mount(FeedsPage, { global: { plugins: [testRouter()] } })
    await flushPromises()
    const input = w.find('#feed-files')
    const files = [new File(['{"id":"DLA-3012-1"}'], 'dla.json'), new File(['PK'], 'bundle.zip')]
    Object.defineProperty(input.element, 'files', { value: files, configurable: true })
    await input.trigger('change')
    await flushPromises()
    const sent = calls.find((c) => c.method === 'POST')
    expect(sent?.path).toBe('/api/v1/advisories/import')
    expect(sent?.body).toEqual({
      files: [
        { name: 'dla.json', data: btoa('{"id":"DLA-3012-1"}') },
        { name: 'bundle.zip', data: btoa('PK') },
      ],
    })
    const text = w.text()
    expect(text).toContain('1 imported, 0 updated, 1 refused')
    expect(text).toContain('the hub now holds 372 advisories')
    const lines = w.findAll('.feeds__results li').map((l) => l.text())
    expect(lines).toEqual([
      'dla.json: 1 imported, 0 updated',
      'bundle.zip#kev.json: 0 imported, 0 updated, 1200 KEV entries',
      'bad.json: refused: not an OSV record',
    ])
    w.unmount()
  })
})

describe('FeedsPage offline bundle', () => {
  it('sends the chosen bundle as application/zip and shows each feed it applied', async () => {
    const result: BundleResult = {
      feeds: [
        {
          id: 'b1',
          name: 'OSV Debian',
          kind: 'osv',
          created: true,
          result: {
            at: '2026-12-01T00:00:00.000Z',
            ok: true,
            added: 12,
            updated: 0,
            unchanged: 0,
            refused: [{ url: 'bundle#x.json', reason: 'bad OpenPGP signature' }],
            requests: 2,
            bytes: 100,
          },
        },
        {
          id: 'b2',
          name: 'CISA KEV',
          kind: 'kev',
          created: false,
          result: {
            at: '2026-12-01T00:00:00.000Z',
            ok: false,
            error: 'not in the bundle',
            added: 0,
            updated: 0,
            unchanged: 0,
            refused: [],
            requests: 0,
            bytes: 0,
          },
        },
      ],
    }
    const calls = fakeApi({
      'GET /api/v1/feeds': () => ({ body: { feeds: [] } }),
      'POST /api/v1/feeds/bundle': () => ({ body: result }),
    })
    const w = mount(FeedsPage, { global: { plugins: [testRouter()] } })
    await flushPromises()
    const input = w.find('#feed-bundle')
    Object.defineProperty(input.element, 'files', {
      value: [new File(['PK'], 'vigil-feeds.zip')],
      configurable: true,
    })
    await input.trigger('change')
    await flushPromises()
    const sent = calls.find((c) => c.method === 'POST')
    expect(sent?.path).toBe('/api/v1/feeds/bundle')
    expect(sent?.headers['content-type']).toBe('application/zip')
    const lines = w.findAll('.feeds__results li').map((l) => l.text().replace(/\s+/g, ' '))
    expect(lines).toEqual([
      'OSV Debian (osv, new): ok, 12 added, 0 updated, 1 refused',
      'CISA KEV (kev): failed: not in the bundle, 0 added, 0 updated',
    ])
    w.unmount()
  })
})

describe('FeedsPage aggregator', () => {
  it('lists the providers and mirrors an aggregator offers; ticking one picks it', async () => {
    const agg = feed({
      id: 'agg',
      kind: 'csaf-aggregator',
      name: 'Aggregator',
      available: [{ name: 'Vendor B', url: 'http://b.test/pm.json', mirrors: ['http://agg.test/b/pm.json'] }],
      providers: [],
    })
    const calls = fakeApi({
      'GET /api/v1/feeds': () => ({ body: { feeds: [agg] } }),
      'PATCH /api/v1/feeds/agg': (body) => ({ body: { ...agg, ...(body as object) } }),
    })
    const w = mount(FeedsPage, { global: { plugins: [testRouter()] } })
    await flushPromises()
    expect(w.text()).toContain('Vendor B')
    expect(w.text()).toContain('mirror http://agg.test/b/pm.json')
    const boxes = w.findAll('.feeds__providers input[type="checkbox"]')
    await boxes[1]?.setValue(true)
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
      { providers: ['http://agg.test/b/pm.json'] },
    ])
    w.unmount()
  })
})

describe('AdvisoryNotice', () => {
  const status = (over: Partial<AdvisoryStatus>): AdvisoryStatus => ({
    advisories: 0,
    feeds: 4,
    enabledFeeds: 0,
    failing: [],
    notice: null,
    ...over,
  })

  it('says plainly that a hub without advisories cannot show findings, and nothing when current', async () => {
    let current = status({
      notice: 'This hub holds no advisories, so no finding can be shown: enable a feed.',
    })
    fakeApi({ 'GET /api/v1/feeds/status': () => ({ body: current }) })
    const router = testRouter()
    const w = mount(AdvisoryNotice, { global: { plugins: [router] } })
    await flushPromises()
    expect(w.text()).toContain('No advisories.')
    expect(w.text()).toContain('holds no advisories')
    w.unmount()
    current = status({ advisories: 300, enabledFeeds: 2 })
    const clean = mount(AdvisoryNotice, { global: { plugins: [router] } })
    await flushPromises()
    expect(clean.text()).toBe('')
    clean.unmount()
  })
})
