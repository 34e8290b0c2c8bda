/**
 * The register's reconcile after one advisory is upserted (issue 17: one new advisory < 50 ms): only
 * that advisory's findings and records are looked at, each device's new records are written (their `found`
 * history entries shown from the records),
 * and a withdrawn copy resolves its own findings and leaves the other advisory's alone. Real correlation
 * engine, real embedded store, real OSV record.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createVendorMatcher } from '../../../src/risk/advisories/index.ts'
import { normalizeOsv } from '../../../src/risk/advisories/normalize/osv.ts'
import type { Advisory } from '../../../src/risk/advisories/types.ts'
import { CorrelationEngine } from '../../../src/risk/correlation/engine.ts'
import { RegisterDb } from '../../../src/risk/register/records.ts'
import { type RegisterEvent, RiskRegister } from '../../../src/risk/register/register.ts'
import { LowdbStore } from '../../../src/store/lowdb-store.ts'
import { DLA_3012, inventory, PATCHED, VULNERABLE } from './fixtures.ts'

describe('RiskRegister.reconcileMany after one advisory', () => {
  let dir: string
  let store: LowdbStore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-register-'))
    store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 3_600_000 })
  })
  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('creates, then resolves, only the upserted advisory’s findings, on every device it reaches', async () => {
    const db = await RegisterDb.open(store)
    const events: RegisterEvent[] = []
    const calls: (string | undefined)[] = []
    let register: RiskRegister | undefined
    const engine = new CorrelationEngine(createVendorMatcher(), (devices, advisory) => {
      calls.push(advisory)
      register?.reconcileMany(devices, advisory)
    })
    register = new RiskRegister({
      db,
      engine,
      deviceName: (id) => id,
      audit: () => {},
      emit: (e) => events.push(e),
    })
    const parsed = normalizeOsv(DLA_3012, 'DLA-3012-1.json')
    if (!parsed.ok) throw new Error(parsed.reason)
    const original: Advisory = parsed.advisory
    engine.upsertAdvisory(original)
    const devices = ['gw-1', 'gw-2', 'gw-3']
    for (const id of devices) engine.setInventory(id, inventory(VULNERABLE))
    engine.setInventory('gw-patched', inventory(PATCHED))
    for (const id of [...devices, 'gw-patched']) register.reconcile(id)
    const before = register.views().length
    expect(before).toBe(devices.length * register.views('gw-1').length)
    expect(register.views('gw-patched')).toEqual([])
    const historyBefore = (await db.history.read({ limit: 10_000 })).length

    events.length = 0
    engine.upsertAdvisory({ ...original, id: 'COPY-1', revision: '2099-01-01T00:00:00Z' })
    expect(calls.at(-1)).toBe('COPY-1')
    const fresh = events.filter((e) => e.type === 'finding.new')
    expect(fresh.length).toBe(before)
    expect(new Set(fresh.map((e) => e.view.deviceId))).toEqual(new Set(devices))
    expect(fresh.every((e) => e.view.advisory === 'COPY-1' && e.view.state === 'open')).toBe(true)
    expect(register.views().length).toBe(2 * before)
    // A new finding stores no history line: its `found` entry is shown from its record.
    expect((await db.history.read({ limit: 10_000 })).length).toBe(historyBefore)
    for (const e of fresh)
      expect(await register.history(e.view.id)).toEqual([
        { findingId: e.view.id, ts: e.view.firstSeen, actor: 'system', from: null, to: 'open', why: 'found' },
      ])
    // A history written by an earlier version holds its `found` line: shown as stored, not twice.
    const earlier = fresh[0]?.view.id ?? ''
    const found = {
      findingId: earlier,
      ts: '2020-01-01T00:00:00.000Z',
      actor: 'system',
      from: null,
      to: 'open' as const,
    }
    db.history.append({ ...found, why: 'found' })
    expect((await register.history(earlier)).filter((e) => e.from === null)).toEqual([
      { ...found, why: 'found' },
    ])

    events.length = 0
    engine.upsertAdvisory({ ...original, id: 'COPY-1', revision: '2099-01-02T00:00:00Z', withdrawn: true })
    const resolved = events.filter((e) => e.type === 'finding.transition' && e.view.state === 'resolved')
    expect(resolved.length).toBe(before)
    expect(resolved.every((e) => e.view.advisory === 'COPY-1')).toBe(true)
    const open = register.views().filter((v) => v.state === 'open')
    expect(open.length).toBe(before)
    expect(open.every((v) => v.advisory === original.id)).toBe(true)
  })
})
