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
  const fresh = (n: number, kev: boolean, severity: Severity | null, cve = 'CVE-2022-1234') => {
    const reads = { n: 0 }
    const found = { advisory: 'DLA-3012-1', cve, component: { name: 'libfoo', version: '1.0', purl: null } }
    const view = {
      id: `f-${n}`,
      deviceId: `gw-${n}`,
      deviceName: `Gateway ${n}`,
      ...found,
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
      deviceId: `gw-${n}`,
      found,
    }
    return { event, reads }
  }
  /** The feed items of a pass are put in the feed once it has run (a microtask later). */
  const passEnds = () => new Promise<void>((resolve) => queueMicrotask(resolve))
  const emitter = (feed: FeedItem[], listened: RegisterEvent[] = []) =>
    registerEmitter({
      listeners: [(e) => listened.push(e)],
      dispatcher,
      feed: (item) => feed.push(item),
      deviceName: (id) => `Gateway ${id.slice(3)}`,
      onError: (err) => {
        throw err
      },
    })

  it('reads no view of a new finding nobody needs, and those the feed or a webhook needs', async () => {
    const feed: FeedItem[] = []
    const listened: RegisterEvent[] = []
    const emit = emitter(feed, listened)
    const plain = Array.from({ length: 50 }, (_, n) => fresh(n, false, 'high'))
    for (const p of plain) emit(p.event)
    expect(plain.map((p) => p.reads.n)).toEqual(plain.map(() => 0))
    expect(listened).toHaveLength(50)
    expect(feed).toEqual([])

    const critical = fresh(100, false, 'critical')
    const kev = fresh(101, true, 'medium')
    emit(critical.event)
    emit(kev.event)
    await passEnds()
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

  it("puts one feed item for a pass's new findings with the same line, naming a few devices", async () => {
    const feed: FeedItem[] = []
    const emit = emitter(feed)
    // One pass: a critical CVE on 1,000 devices, a KEV one on two, a critical one on one device.
    const many = Array.from({ length: 1000 }, (_, n) => fresh(n, false, 'critical'))
    for (const m of many) emit(m.event)
    emit(fresh(5000, true, 'high', 'CVE-2021-0001').event)
    emit(fresh(5001, true, 'high', 'CVE-2021-0001').event)
    emit(fresh(5002, false, 'critical', 'CVE-2021-0002').event)
    // A device named twice under one line (two advisories of one CVE) counts once.
    emit(fresh(5001, true, 'high', 'CVE-2021-0001').event)
    expect(feed).toEqual([])
    await passEnds()
    expect(feed.map((i) => [i.message, i.deviceId])).toEqual([
      [
        'critical CVE-2022-1234 in libfoo 1.0 on 1,000 devices: Gateway 0, Gateway 1, Gateway 2 and 997 more',
        undefined,
      ],
      ['known-exploited CVE-2021-0001 in libfoo 1.0 on 2 devices: Gateway 5000, Gateway 5001', undefined],
      ['Gateway 5002: critical CVE-2021-0002 in libfoo 1.0', 'gw-5002'],
    ])
    // One view read for each item (its first finding's), none for the other 999 findings.
    expect(many.filter((m) => m.reads.n > 0)).toHaveLength(1)
    // A view that cannot be built (after the pass, in a microtask) goes to onError, not to an uncaught
    // exception; the pass's other items still reach the feed.
    const errors: unknown[] = []
    const guarded = registerEmitter({
      listeners: [],
      dispatcher,
      feed: (item) => feed.push(item),
      deviceName: (id) => id,
      onError: (err) => errors.push(err),
    })
    const broken: RegisterEvent = {
      ...fresh(8000, true, 'high', 'CVE-2021-0003').event,
      get view(): FindingView {
        throw new Error('no view')
      },
    }
    guarded(broken)
    guarded(fresh(8001, false, 'critical', 'CVE-2021-0004').event)
    const before = feed.length
    await passEnds()
    expect(errors).toEqual([new Error('no view')])
    expect(feed.slice(before).map((i) => i.message)).toEqual([
      'Gateway 8001: critical CVE-2021-0004 in libfoo 1.0',
    ])
    // The next pass is its own.
    emit(fresh(7, false, 'critical').event)
    await passEnds()
    expect(feed.at(-1)?.message).toBe('Gateway 7: critical CVE-2022-1234 in libfoo 1.0')
  })
})
