/**
 * Issue 5, "Done when": the scanner, on CycloneDX SBOMs of devices named like those in the CISA
 * advisories, reports the advisories whose ranges contain the firmware and none whose ranges exclude it.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { AdvisoryIndex } from '../../../src/risk/advisories/advisory-index.ts'
import { correlate } from '../../../src/risk/advisories/correlate.ts'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { parseSbom } from '../../../src/risk/advisories/sbom.ts'
import type { Finding } from '../../../src/risk/advisories/types.ts'
import { CISA, KEV } from './data.ts'
import { deviceSbom } from './sbom-fixtures.ts'

let index: AdvisoryIndex
let kev: Awaited<ReturnType<typeof importAdvisories>>['kev']

beforeAll(async () => {
  const summary = await importAdvisories([CISA, KEV])
  if (summary.index === null) throw new Error('no index')
  index = summary.index
  kev = summary.kev
})

function scan(vendor: string, model: string, firmware: string): Finding[] {
  const r = parseSbom(deviceSbom({ vendor, model, firmware }))
  if (!r.ok) throw new Error(r.reason)
  return correlate(r.target, index, { kev, epss: new Map() })
}

const ids = (fs: Finding[]) => [...new Set(fs.map((f) => f.advisory))].sort()

describe('scanner on devices named like the CISA medical advisories', () => {
  it('imports every CISA advisory', () => {
    expect(index.size).toBeGreaterThan(100)
  })

  it('BD Alaris PCU 8015 (vendor given as the acronym): <=12.1.3 includes 12.1.3, excludes 12.3.1', () => {
    const inside = scan('BD', 'BD Alaris Point-of-Care Unit (PCU) Model 8015', '12.1.3')
    expect(ids(inside)).toContain('ICSMA-23-194-01')
    const f = inside.find((x) => x.advisory === 'ICSMA-23-194-01')
    expect(f).toMatchObject({ affected: '<=12.1.3', confidence: 'range', component: { version: '12.1.3' } })
    expect(f?.cve).toMatch(/^CVE-2023-/)
    const outside = scan('BD', 'BD Alaris Point-of-Care Unit (PCU) Model 8015', '12.3.1')
    expect(ids(outside)).not.toContain('ICSMA-23-194-01')
  })

  it('the "Phillips" misspelling still matches a Philips device: <= 2.3.0', () => {
    expect(ids(scan('Philips', 'IntelliSpace Cardiovascular', '2.3.0'))).toContain('ICSMA-18-025-01')
    expect(ids(scan('Philips', 'IntelliSpace Cardiovascular', '2.3.1'))).not.toContain('ICSMA-18-025-01')
  })

  it('a two-sided range ">= 1.3.4 | < 1.5.3" (BD Pyxis ES)', () => {
    expect(ids(scan('Becton, Dickinson and Company', 'Pyxis ES', '1.4'))).toContain('ICSMA-19-248-01')
    expect(ids(scan('Becton, Dickinson and Company', 'Pyxis ES', '1.5.3'))).not.toContain('ICSMA-19-248-01')
    expect(ids(scan('Becton, Dickinson and Company', 'Pyxis ES', '1.3.3'))).not.toContain('ICSMA-19-248-01')
  })

  it('a single affected version is an exact match; another version is not', () => {
    const hit = scan('Illumina', 'iScan Control Software', '4.0.0').filter(
      (f) => f.advisory === 'ICSMA-23-117-01',
    )
    expect(hit.length).toBeGreaterThan(0)
    expect(hit.every((f) => f.confidence === 'exact')).toBe(true)
    expect(ids(scan('Illumina', 'iScan Control Software', '4.0.7'))).not.toContain('ICSMA-23-117-01')
  })

  it('vers:all/* covers every firmware of the product', () => {
    expect(ids(scan('Illumina', 'iSeq 100', '1.0'))).toContain('ICSMA-23-117-01')
  })

  it('a list of versions "1.10 | 1.11 | 1.13 | 1.14" with a KEV CVE (Baxter ExactaMix, CVE-2017-0143)', () => {
    const fs = scan('Baxter', 'ExactaMix EM2400', '1.13').filter((f) => f.advisory === 'ICSMA-20-170-01')
    const eternal = fs.find((f) => f.cve === 'CVE-2017-0143')
    expect(eternal).toMatchObject({
      confidence: 'exact',
      kev: true,
      kevDueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    })
    expect(fs.filter((f) => f.cve !== 'CVE-2017-0143' && f.kev)).toEqual([])
    expect(ids(scan('Baxter', 'ExactaMix EM2400', '1.12'))).not.toContain('ICSMA-20-170-01')
  })

  it('a multi-vendor advisory (URGENT/11) matches one of its vendors’ products', () => {
    const urgent = (fw: string) =>
      scan('Wind River', 'VxWorks', fw).filter((f) => f.advisory === 'ICSMA-19-274-01')
    expect(new Set(urgent('6.5').map((f) => f.confidence))).toEqual(new Set(['range']))
    // 6.6 is outside "<= 6.5"; the entry "653 MCE 3.x" is free text, so only a review finding remains.
    expect(new Set(urgent('6.6').map((f) => f.confidence))).toEqual(new Set(['review']))
    expect(urgent('6.6')[0]?.affected).toBe('653 MCE 3.x')
  })

  it('another vendor with the same product name matches nothing', () => {
    expect(ids(scan('Siemens', 'IntelliSpace Cardiovascular', '2.0'))).not.toContain('ICSMA-18-025-01')
  })
})

/** Every product entry with a plain `<= X` / `< X` range: X (or below) is inside, above X is outside. */
describe('every simple upper-bounded CISA range', () => {
  const bump = (v: string, d: number): string | null => {
    const m = /^(.*?)(\d+)$/.exec(v)
    if (!m || m[2] === undefined) return null
    const n = Number(m[2]) + d
    return n < 0 ? null : `${m[1]}${n}`
  }

  it('includes the bound; the next version is never reported through that entry', () => {
    let checked = 0
    for (const a of index.all()) {
      for (const p of a.products) {
        const m = /^(<=?)\s*(\d+(?:\.\d+)*)$/.exec(p.versionRaw.trim())
        if (!m?.[2] || p.range === null) continue
        if (!a.vulnerabilities.some((v) => v.knownAffected.includes(p.productId))) continue
        const inside = m[1] === '<=' ? m[2] : bump(m[2], -1)
        const outside = bump(m[2], 1)
        if (inside === null || outside === null) continue
        const entry = (fs: Finding[]) =>
          fs.filter((f) => f.advisory === a.id && f.why.entry.startsWith(`${p.productId}:`))
        // Inside: the advisory is reported (possibly through another entry of the same product).
        expect(ids(scan(p.vendor, p.product, inside)), `${a.id} ${p.product} ${inside}`).toContain(a.id)
        expect(entry(scan(p.vendor, p.product, outside)), `${a.id} ${p.product} ${outside}`).toEqual([])
        checked++
      }
    }
    expect(checked).toBeGreaterThan(30)
  })
})

describe('unparseable version expressions', () => {
  it('yield review findings, never silently dropped', () => {
    const free = [...index.all()].flatMap((a) =>
      a.products
        .filter(
          (p) => p.range === null && a.vulnerabilities.some((v) => v.knownAffected.includes(p.productId)),
        )
        .map((p) => ({ a, p })),
    )
    expect(free.length).toBeGreaterThan(0)
    for (const { a, p } of free.slice(0, 10)) {
      const fs = scan(p.vendor, p.product, '1.0').filter(
        (f) => f.advisory === a.id && f.why.entry.startsWith(`${p.productId}:`),
      )
      expect(fs.length, `${a.id} ${p.versionRaw}`).toBeGreaterThan(0)
      expect(fs.every((f) => f.confidence === 'review')).toBe(true)
    }
  })
})
