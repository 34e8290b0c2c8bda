import { describe, expect, it } from 'vitest'
import { parseEpssCsv } from '../../../src/risk/advisories/normalize/epss.ts'
import { isKevCatalog, normalizeKev } from '../../../src/risk/advisories/normalize/kev.ts'
import { KEV, readJson } from './data.ts'

describe('CISA KEV catalog', () => {
  it('reads the real catalog: every entry, keyed by cveID, with its due date', () => {
    const doc = readJson(KEV) as { count: number; vulnerabilities: { cveID: string; dueDate: string }[] }
    expect(isKevCatalog(doc)).toBe(true)
    const r = normalizeKev(doc)
    if (!r.ok) throw new Error(r.reason)
    expect(r.entries.size).toBe(doc.count)
    const first = doc.vulnerabilities[0]
    expect(first).toBeDefined()
    expect(r.entries.get(first?.cveID ?? '')?.dueDate).toBe(first?.dueDate)
  })

  it('refuses a catalog with a malformed entry, naming the field', () => {
    const r = normalizeKev({
      title: 't',
      catalogVersion: '1',
      dateReleased: 'x',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'not-a-cve',
          vendorProject: 'a',
          product: 'b',
          dateAdded: '2024-01-01',
          dueDate: '2024-01-22',
        },
      ],
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toMatch(/cveID/)
  })
})

describe('EPSS CSV', () => {
  it('reads the FIRST layout with its model comment line', () => {
    const r = parseEpssCsv(
      '#model_version:v2023.03.01,score_date:2024-05-01T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.97565,0.99996\n',
    )
    expect(r).toEqual({ ok: true, scores: new Map([['CVE-2021-44228', 0.97565]]) })
  })

  it('refuses other CSVs and bad rows with the line number', () => {
    expect(parseEpssCsv('a,b\n1,2').ok).toBe(false)
    const bad = parseEpssCsv('cve,epss,percentile\nCVE-2021-1,7,1\n')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.reason).toMatch(/line 2/)
  })
})
