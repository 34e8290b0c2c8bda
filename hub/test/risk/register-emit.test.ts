/**
 * The hub's handling of register events (`registerEmitter`): a finding's view is read only by what
 * needs it. A new advisory announces thousands of new findings; with no dashboard watching and no
 * webhook endpoint for them, none of their views is built, and the feed builds one only for a KEV or
 * critical finding. Real dispatcher on a real embedded store.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FeedItem, FindingView, Severity } from '@vigil/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RegisterEvent } from '../../src/risk/register/register.ts'
import { registerEmitter } from '../../src/risk/register-emit.ts'
import { QUEUE, WebhookDispatcher } from '../../src/risk/webhooks/dispatcher.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'

describe('registerEmitter', () => {
  let dir: string
  let store: LowdbStore
  let dispatcher: WebhookDispatcher
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-emit-'))
    store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 3_600_000 })
    // Never sends (not the holder of webhooks.deliver): only what is queued is looked at.
    dispatcher = new WebhookDispatcher({ store, leader: () => false })
    await dispatcher.start()
  })
  afterEach(async () => {
    await dispatcher.stop()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** A new finding's event whose view counts its reads. */
  const fresh = (n: number, kev: boolean, severity: Severity | null) => {
    const reads = { n: 0 }
    const view = {
      id: `f-${n}`,
      deviceId: `gw-${n}`,
      deviceName: `Gateway ${n}`,
      advisory: 'DLA-3012-1',
      cve: 'CVE-2022-1234',
      component: { name: 'libfoo', version: '1.0' },
      kev,
      severity,
    } as unknown as FindingView
    const event: RegisterEvent = {
      type: 'finding.new',
      get view() {
        reads.n++
        return view
      },
      kev,
      severity,
    }
    return { event, reads }
  }

  it('reads no view of a new finding nobody needs, and those the feed or a webhook needs', async () => {
    const feed: FeedItem[] = []
    const listened: RegisterEvent[] = []
    const emit = registerEmitter({
      listeners: [(e) => listened.push(e)],
      dispatcher,
      feed: (item) => feed.push(item),
      onError: (err) => {
        throw err
      },
    })
    const plain = Array.from({ length: 50 }, (_, n) => fresh(n, false, 'high'))
    for (const p of plain) emit(p.event)
    expect(plain.map((p) => p.reads.n)).toEqual(plain.map(() => 0))
    expect(listened).toHaveLength(50)
    expect(feed).toEqual([])

    const critical = fresh(100, false, 'critical')
    const kev = fresh(101, true, 'medium')
    emit(critical.event)
    emit(kev.event)
    expect(critical.reads.n).toBeGreaterThan(0)
    expect(kev.reads.n).toBeGreaterThan(0)
    expect(feed.map((i) => i.message)).toEqual([
      'Gateway 100: critical CVE-2022-1234 in libfoo 1.0',
      'Gateway 101: known-exploited CVE-2022-1234 in libfoo 1.0',
    ])

    // An endpoint for KEV findings only: a plain new finding's view is read to know it is not one
    // (nothing queued), a KEV one's is queued.
    dispatcher.addEndpoint({ url: 'http://127.0.0.1:9/hook', events: ['finding.kev'] }, 'admin')
    const later = fresh(200, false, 'low')
    emit(later.event)
    expect(dispatcher.deliveries()).toEqual([])
    const kev2 = fresh(201, true, 'low')
    emit(kev2.event)
    const queued = dispatcher.deliveries()
    expect(queued.map((d) => d.event)).toEqual(['finding.kev'])
    expect(JSON.parse(queued[0]?.body ?? '{}').data.finding.id).toBe('f-201')
    expect((await store.collection(QUEUE)).size).toBe(1)
  })
})
