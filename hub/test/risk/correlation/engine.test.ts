import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createVendorMatcher, importAdvisories } from '../../../src/risk/advisories/index.ts'
import type { Advisory } from '../../../src/risk/advisories/types.ts'
import { CorrelationEngine } from '../../../src/risk/correlation/engine.ts'
import { CISA, OASIS } from '../advisories/data.ts'
import { DEBIAN_DB, inventory, PATCHED, VULNERABLE } from '../register/fixtures.ts'

let debian: Advisory[] = []
let philips: Advisory | undefined

beforeAll(async () => {
  const s = await importAdvisories([DEBIAN_DB, join(CISA, '2018/icsma-18-025-01.json')])
  debian = [...(s.index?.all() ?? [])].filter((a) => a.source === 'osv')
  philips = s.index?.get('ICSMA-18-025-01')
})

function engine() {
  const changed: string[][] = []
  const scopes: (string | undefined)[] = []
  const e = new CorrelationEngine(createVendorMatcher(), (ids, advisory) => {
    changed.push([...ids].sort())
    scopes.push(advisory)
  })
  return { e, changed, scopes }
}

const unrelated = {
  ...inventory(VULNERABLE),
  hash: 'c'.repeat(64),
  packages: [
    { name: 'zlib', version: '1:1.2.8.dfsg-5', ecosystem: 'deb' as const, purl: 'pkg:deb/debian/zlib@1.2.8' },
  ],
}

describe('incremental correlation', () => {
  it('a new advisory re-correlates only the inventories holding its keys and reports only their devices', () => {
    const { e, changed, scopes } = engine()
    e.setInventory('dev-a', inventory(VULNERABLE))
    e.setInventory('dev-b', inventory(VULNERABLE))
    e.setInventory('dev-c', unrelated)
    expect(e.stats()).toMatchObject({ targets: 2, correlations: 2 })
    const dla = debian.find((a) => a.id === 'DLA-3012-1')
    if (!dla) throw new Error('DLA-3012-1 missing')
    expect(e.upsertAdvisory(dla)).toBe('added')
    // one shared image holds libxml2: one correlation, two devices changed, dev-c untouched
    expect(e.stats().correlations).toBe(3)
    expect(changed).toEqual([['dev-a', 'dev-b']])
    expect(e.findingsFor('dev-a').map((f) => f.advisory)).toEqual(['DLA-3012-1'])
    expect(e.findingsFor('dev-c')).toEqual([])
    // the change names the one advisory whose findings changed (the register decides only those)
    expect(scopes).toEqual(['DLA-3012-1'])
    // the same revision again is stale: no work
    expect(e.upsertAdvisory(dla)).toBe('stale')
    expect(e.stats().correlations).toBe(3)
  })

  it('names the advisory only when that advisory alone changed; new vendor aliases name none', () => {
    const { e, changed, scopes } = engine()
    const dla = debian.find((a) => a.id === 'DLA-3012-1')
    if (!dla) throw new Error('DLA-3012-1 missing')
    e.setInventory('dev-a', inventory(VULNERABLE))
    e.upsertAdvisory(dla)
    e.upsertAdvisory({ ...dla, revision: '2099-01-01T00:00:00Z', withdrawn: true })
    e.setVendors(createVendorMatcher())
    expect(changed).toEqual([['dev-a'], ['dev-a'], ['dev-a']])
    expect(scopes).toEqual(['DLA-3012-1', 'DLA-3012-1', undefined])
  })

  it('advisories added, revised and withdrawn one by one leave the findings a full correlation gives', () => {
    const dla = debian.find((a) => a.id === 'DLA-3012-1')
    if (!dla || !philips) throw new Error('test data missing')
    const steps: Advisory[] = [
      ...debian,
      philips,
      { ...dla, id: 'COPY-1', revision: '2026-01-01T00:00:00Z' },
      // a revision that drops the package, then one that brings it back with a CVE, then a withdrawal
      { ...dla, id: 'COPY-1', revision: '2026-02-01T00:00:00Z', packages: [] },
      { ...dla, id: 'COPY-1', revision: '2026-03-01T00:00:00Z', cves: ['CVE-2022-29824'] },
      { ...dla, revision: '2099-01-01T00:00:00Z', withdrawn: true },
    ]
    const incremental = engine().e
    incremental.setInventory('dev-a', inventory(VULNERABLE))
    incremental.setInventory('dev-b', inventory(PATCHED))
    incremental.setIdentity('dev-c', {
      hostname: 'c',
      vendor: 'Philips',
      model: 'IntelliVue MX40',
      firmwareVersion: 'B.06.15',
    } as never)
    const seen: string[][] = []
    for (const a of steps) {
      incremental.upsertAdvisory(a)
      const full = engine().e
      for (const b of steps.slice(0, steps.indexOf(a) + 1)) full.advisories.upsert(b)
      full.setInventory('dev-a', inventory(VULNERABLE))
      full.setInventory('dev-b', inventory(PATCHED))
      full.setIdentity('dev-c', {
        hostname: 'c',
        vendor: 'Philips',
        model: 'IntelliVue MX40',
        firmwareVersion: 'B.06.15',
      } as never)
      for (const d of ['dev-a', 'dev-b', 'dev-c']) {
        const key = (f: { advisory: string; cve: string | null; component: { name: string } }) =>
          `${f.advisory}|${f.cve}|${f.component.name}`
        const got = incremental.findingsFor(d).sort((x, y) => key(x).localeCompare(key(y)))
        expect(got).toEqual(full.findingsFor(d).sort((x, y) => key(x).localeCompare(key(y))))
        // One advisory's findings (a scoped reconcile): those of findingsFor with that advisory, in order.
        for (const id of new Set(['COPY-1', ...got.map((f) => f.advisory)]))
          expect(incremental.findingsOf(d, id)).toEqual(
            incremental.findingsFor(d).filter((f) => f.advisory === id),
          )
      }
      seen.push(incremental.findingsFor('dev-a').map((f) => f.advisory))
    }
    // the sequence really changed dev-a's findings (the copy came, went, came back)
    expect(seen.some((ids) => ids.includes('COPY-1'))).toBe(true)
    expect(seen.some((ids, i) => i > 0 && !ids.includes('COPY-1') && seen[i - 1]?.includes('COPY-1'))).toBe(
      true,
    )
  })

  it('the patched version has no finding; a device moving to it leaves the shared target behind', () => {
    const { e } = engine()
    for (const a of debian) e.upsertAdvisory(a)
    e.setInventory('dev-a', inventory(VULNERABLE))
    e.setInventory('dev-b', inventory(PATCHED))
    expect(e.findingsFor('dev-a').map((f) => f.advisory)).toContain('DLA-3012-1')
    expect(e.findingsFor('dev-b').map((f) => f.advisory)).not.toContain('DLA-3012-1')
    e.setInventory('dev-a', inventory(PATCHED))
    expect(e.stats().targets).toBe(1)
  })

  it('a later revision that withdraws an advisory clears its findings; an older one changes nothing', () => {
    const { e, changed } = engine()
    const dla = debian.find((a) => a.id === 'DLA-3012-1')
    if (!dla) throw new Error('DLA-3012-1 missing')
    e.upsertAdvisory(dla)
    e.setInventory('dev-a', inventory(VULNERABLE))
    expect(e.findingsFor('dev-a').map((f) => f.advisory)).toEqual(['DLA-3012-1'])
    expect(e.upsertAdvisory({ ...dla, revision: '2000-01-01T00:00:00Z' })).toBe('stale')
    expect(changed).toEqual([])
    expect(e.upsertAdvisory({ ...dla, revision: '2099-01-01T00:00:00Z', withdrawn: true })).toBe('updated')
    expect(changed).toEqual([['dev-a']])
    expect(e.findingsFor('dev-a')).toEqual([])
  })

  it('a CSAF advisory that arrives after the devices reaches the ones whose identity it names', () => {
    const { e, changed } = engine()
    if (!philips) throw new Error('ICSMA-18-025-01 missing')
    const os = { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' }
    e.setIdentity('dev-a', {
      hostname: 'a',
      vendor: 'Philips',
      model: 'IntelliSpace Cardiovascular',
      firmwareVersion: '2.3.0',
      os,
    })
    e.setIdentity('dev-b', { hostname: 'b', vendor: 'Acme', model: 'Other', firmwareVersion: '1', os })
    e.setInventory('dev-a', inventory(VULNERABLE))
    expect(e.findingsFor('dev-a')).toEqual([])
    expect(e.upsertAdvisory(philips)).toBe('added')
    expect(changed).toEqual([['dev-a']])
    expect(e.findingsFor('dev-a').map((f) => f.advisory)).toEqual(['ICSMA-18-025-01'])
    expect(e.findingsFor('dev-b')).toEqual([])
  })

  it('matches a device identity against CSAF by vendor (misspelt "Phillips" in the advisory), model and firmware', () => {
    const { e, changed } = engine()
    if (!philips) throw new Error('ICSMA-18-025-01 missing')
    e.upsertAdvisory(philips)
    const identity = {
      hostname: 'cv-1',
      vendor: 'Philips',
      model: 'IntelliSpace Cardiovascular',
      os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
    }
    expect(e.setIdentity('dev-a', { ...identity, firmwareVersion: '2.3.0' })).toBe(true)
    expect(e.findingsFor('dev-a')[0]).toMatchObject({
      advisory: 'ICSMA-18-025-01',
      component: { version: '2.3.0' },
    })
    expect(e.setIdentity('dev-a', { ...identity, firmwareVersion: '2.3.0' })).toBe(false)
    e.setIdentity('dev-a', { ...identity, firmwareVersion: '2.3.1' })
    expect(e.findingsFor('dev-a')).toEqual([])
    expect(changed).toEqual([])
  })
})

describe('device identities with a CPE or a multi-model name (issue 17)', () => {
  it('matches a device by the CPE it reports and one by a model listed in a product name, with tier and reason', async () => {
    const s = await importAdvisories([
      join(CISA, '2023/icsa-23-026-04.json'),
      join(OASIS, 'examples/csaf/bsi-2022-0001.json'),
    ])
    const { e } = engine()
    for (const a of s.index?.all() ?? []) e.upsertAdvisory(a)
    const os = { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' }
    e.setIdentity('rv', {
      hostname: 'rv',
      os,
      vendor: 'Sierra Wireless',
      model: 'RV50',
      firmwareVersion: '4.15.0',
    })
    e.setIdentity('conv', { hostname: 'conv', os, cpe: 'cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-rc1' })
    expect(e.findingsFor('rv').map((f) => f.why.tier)).toContain('alias')
    const byCpe = e.findingsFor('conv')
    expect(byCpe.length).toBeGreaterThan(0)
    expect(byCpe[0]?.why).toMatchObject({ tier: 'exact', identified: expect.stringMatching(/^CPE /) })
    // The fixed firmware: the identity changes, its findings go.
    e.setIdentity('rv', {
      hostname: 'rv',
      os,
      vendor: 'Sierra Wireless',
      model: 'RV50',
      firmwareVersion: '4.16.0',
    })
    expect(e.findingsFor('rv')).toEqual([])
  })
})
