import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isOsvRecord, normalizeOsv } from '../../../../src/risk/advisories/normalize/osv.ts'
import { filesUnder, LINTER, OSV, readJson } from '../data.ts'

const SCANNER_DB = join(OSV, 'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs')

function parse(path: string) {
  const r = normalizeOsv(readJson(path), path)
  if (!r.ok) throw new Error(r.reason)
  return r.advisory
}

describe('OSV normalisation on the real records', () => {
  it('accepts every OSV record in the shared data except osv-linter’s broken ones', () => {
    const rejected: string[] = []
    let accepted = 0
    for (const f of filesUnder(OSV, /\.json$/)) {
      const doc = readJson(f)
      if (!isOsvRecord(doc)) continue
      const r = normalizeOsv(doc, f)
      if (r.ok) accepted++
      else rejected.push(f.slice(OSV.length).replace(/^\//, ''))
    }
    expect(accepted).toBeGreaterThan(70)
    expect(rejected.sort()).toEqual([
      'ossf__osv-schema/tools/osv-linter/testdata/nointroduced-CVE-2023-41045.json',
      'ossf__osv-schema/tools/osv-linter/testdata/nondistinct-CVE-2018-5407.json',
    ])
  })

  it('refuses the linter’s broken records with the reason', () => {
    const noIntro = normalizeOsv(readJson(join(LINTER, 'nointroduced-CVE-2023-41045.json')), 'x')
    expect(noIntro).toMatchObject({ ok: false, reason: expect.stringMatching(/events/) })
    const nonDistinct = normalizeOsv(readJson(join(LINTER, 'nondistinct-CVE-2018-5407.json')), 'x')
    expect(nonDistinct).toMatchObject({ ok: false, reason: expect.stringMatching(/not distinct/) })
  })

  it('reads a Debian DLA: source package, release from the ecosystem, CVE from upstream', () => {
    const a = parse(join(SCANNER_DB, 'Debian/DLA-3012-1.json'))
    expect(a.cves).toEqual(['CVE-2022-29824'])
    expect(a.packages[0]).toMatchObject({
      ecosystem: 'Debian',
      release: '9',
      name: 'libxml2',
      purlType: 'deb',
      scheme: 'deb',
      schemeExact: true,
      fixed: '2.9.4+dfsg1-2.2+deb9u7',
      affected: 'vers:deb/<2.9.4+dfsg1-2.2+deb9u7',
    })
    expect(a.packages[0]?.versions).toContain('2.9.4+dfsg1-2.2+deb9u6')
  })

  it('reads Alpine releases from `Alpine:v3.xx` and computes severity from the CVSS vector', () => {
    const a = parse(join(SCANNER_DB, 'Alpine/ALPINE-CVE-2025-26519.json'))
    const releases = a.packages.map((p) => p.release)
    expect(releases).toContain('3.20')
    expect(releases).toContain('3.16')
    expect(a.packages.every((p) => p.name === 'musl' && p.scheme === 'apk')).toBe(true)
    expect(a.severity).not.toBeNull()
  })

  it('maps npm/Go to semver, PyPI to pypi with PEP 503 names, and keeps the GHSA severity', () => {
    const npm = parse(join(SCANNER_DB, 'npm/GHSA-whgm-jr23-g3j9.json'))
    expect(npm.packages[0]).toMatchObject({ purlType: 'npm', scheme: 'semver', release: null })
    const go = parse(join(SCANNER_DB, 'Go/GO-2022-0493.json'))
    expect(go.packages[0]).toMatchObject({ purlType: 'golang', scheme: 'semver' })
    const py = parse(join(SCANNER_DB, 'PyPI/PYSEC-2023-74.json'))
    expect(py.packages[0]?.scheme).toBe('pypi')
    expect(py.packages[0]?.name).toBe(py.packages[0]?.name.toLowerCase())
  })

  it('falls back to the generic scheme (confidence range) where the versions module has no ordering', () => {
    const maven = parse(join(SCANNER_DB, 'Maven/GHSA-269g-pwp5-87pp.json'))
    const p = maven.packages[0]
    expect(p?.purlType).toBe('maven')
    if (p?.scheme === 'generic') expect(p.schemeExact).toBe(false)
  })

  it('marks withdrawn advisories', () => {
    const w = parse(join(OSV, 'ossf__osv-schema/tools/ghsa/testdata/withdrawn.osv.json'))
    expect(w.withdrawn).toBe(true)
  })

  it('refuses a record naming an ecosystem the OSV schema does not know, saying where', () => {
    const doc = readJson(join(SCANNER_DB, 'Debian/DLA-3012-1.json')) as {
      affected: { package: { ecosystem: string; name: string } }[]
    }
    const first = doc.affected[0]
    if (!first) throw new Error('fixture changed')
    doc.affected.push({ ...first, package: { ...first.package, ecosystem: 'NotAnEcosystem' } })
    const r = normalizeOsv(doc, 'x')
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/affected\/1\/package\/ecosystem/) })
  })
})
