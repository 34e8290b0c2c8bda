import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { normalizeCsaf } from '../../../../src/risk/advisories/normalize/csaf.ts'
import { mandatoryChecks } from '../../../../src/risk/advisories/normalize/csaf-checks.ts'
import { createVendorMatcher } from '../../../../src/risk/advisories/vendor.ts'
import { CISA, cisaFiles, filesUnder, OASIS, readJson } from '../data.ts'

const vendors = createVendorMatcher()
const TESTS = join(OASIS, 'test/validator/data')

function parse(path: string) {
  const r = normalizeCsaf(readJson(path), path, vendors)
  if (!r.ok) throw new Error(r.reason)
  return r.advisory
}

interface TestCase {
  id: string
  group: string
  failures?: { name: string }[]
  valid?: { name: string }[]
}
const testcases = (readJson(join(TESTS, 'testcases.json')) as { tests: TestCase[] }).tests

describe('CSAF 2.0 import: schema and mandatory tests', () => {
  it('accepts every CISA advisory and every OASIS example', () => {
    const files = [...cisaFiles(), ...filesUnder(join(OASIS, 'examples/csaf'), /\.json$/)]
    expect(files.length).toBeGreaterThan(110)
    for (const f of files) {
      const r = normalizeCsaf(readJson(f), f, vendors)
      expect(r.ok ? 'ok' : r.reason, f).toBe('ok')
    }
  })

  it('refuses every OASIS must-fail mandatory test file', () => {
    const missed: string[] = []
    let refused = 0
    for (const t of testcases.filter((x) => x.group === 'mandatory')) {
      for (const f of t.failures ?? []) {
        const r = normalizeCsaf(readJson(join(TESTS, f.name)), f.name, vendors)
        if (r.ok) missed.push(`${t.id} ${f.name}`)
        else refused++
      }
    }
    expect(missed).toEqual([])
    expect(refused).toBe(87)
  })

  it('passes the OASIS must-pass mandatory test files', () => {
    for (const t of testcases.filter((x) => x.group === 'mandatory')) {
      for (const f of t.valid ?? []) expect(mandatoryChecks(readJson(join(TESTS, f.name))), f.name).toBeNull()
    }
  })

  it('names the failed test in the reason', () => {
    const r = normalizeCsaf(
      readJson(join(TESTS, 'mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-09-01.json')),
      'x',
      vendors,
    )
    expect(r).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^CSAF mandatory test 6\.1\.9 \(Invalid CVSS computation\)/),
    })
    const s = normalizeCsaf({ document: { csaf_version: '2.0' } }, 'x', vendors)
    expect(s).toMatchObject({ ok: false, reason: expect.stringMatching(/^CSAF schema: /) })
  })
})

describe('CSAF product tree → products', () => {
  it('flattens vendor → product_name → version leaves (ICSMA-23-194-01, BD Alaris)', () => {
    const a = parse(join(CISA, '2023/icsma-23-194-01.json'))
    expect(a).toMatchObject({ id: 'ICSMA-23-194-01', source: 'csaf', revision: expect.any(String) })
    const pcu = a.products.find((p) => p.productId === 'CSAFPID-0001')
    expect(pcu).toMatchObject({
      vendor: 'Becton, Dickinson and Company (BD)',
      vendorKey: 'bd',
      product: 'BD Alaris Point-of-Care Unit (PCU) Model 8015',
      versionRaw: '<=12.1.3',
      versionKind: 'range',
      unparseable: null,
    })
    expect(pcu?.range).not.toBeNull()
    expect(a.vulnerabilities.map((v) => v.cve)).toContain('CVE-2023-30559')
    expect(a.severity).toBe('high')
  })

  it('keeps free-text versions with the reason instead of dropping or guessing', () => {
    const all = cisaFiles().map((f) => parse(f))
    const free = all.flatMap((a) => a.products.filter((p) => p.range === null))
    expect(free.length).toBeGreaterThan(0)
    for (const p of free) expect(p.unparseable).toBeTruthy()
  })

  it('reads relationships and product_status.fixed from an OASIS example', () => {
    const files = filesUnder(join(OASIS, 'examples/csaf'), /\.json$/)
    const withRel = files
      .map((f) => parse(f))
      .filter((a) => a.vulnerabilities.some((v) => v.fixed.length > 0))
    expect(withRel.length).toBeGreaterThan(0)
  })
})

describe('fixed version', () => {
  it('takes "update to Version X or later" prose only when it names one product (ICSA-21-054-03)', () => {
    const a = parse(join(CISA, '2021/icsa-21-054-03.json'))
    const fixed = a.vulnerabilities.flatMap((v) => Object.values(v.fixedVersion))
    expect(fixed).toContain('6.2.7')
  })

  it('takes no version from a sentence that covers two products (ICSMA-19-120-01, Tasy EMR + WebPortal)', () => {
    const a = parse(join(CISA, '2019/icsma-19-120-01.json'))
    expect(new Set(a.products.map((p) => p.productKey)).size).toBeGreaterThan(1)
    expect(a.vulnerabilities.flatMap((v) => Object.keys(v.fixedVersion))).toEqual([])
  })

  it('takes one product’s prose version for each of its entries (ICSMA-20-184-01, OpenClinic GA)', () => {
    const a = parse(join(CISA, '2020/icsma-20-184-01.json'))
    const fixed = new Set(a.vulnerabilities.flatMap((v) => Object.values(v.fixedVersion)))
    expect([...fixed]).toEqual(['5.170.5'])
  })
})
