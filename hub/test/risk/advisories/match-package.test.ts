import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AdvisoryIndex } from '../../../src/risk/advisories/advisory-index.ts'
import { correlate } from '../../../src/risk/advisories/correlate.ts'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { matchPackage } from '../../../src/risk/advisories/match-package.ts'
import { parseSbom } from '../../../src/risk/advisories/sbom.ts'
import type { Advisory, Finding, PackageAffect } from '../../../src/risk/advisories/types.ts'
import { KEV, OSV } from './data.ts'
import { deviceSbom } from './sbom-fixtures.ts'

const DB = join(OSV, 'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs')
let index: AdvisoryIndex
let kev: Awaited<ReturnType<typeof importAdvisories>>['kev']

beforeAll(async () => {
  const s = await importAdvisories([DB, join(OSV, 'golang__vulndb'), KEV])
  if (s.index === null) throw new Error('no index')
  index = s.index
  kev = s.kev
})

function scan(...purls: string[]): Finding[] {
  const r = parseSbom(deviceSbom({ vendor: 'Acme', model: 'Gateway', firmware: '1.0', purls }))
  if (!r.ok) throw new Error(r.reason)
  return correlate(r.target, index, { kev, epss: new Map() })
}
const ids = (fs: Finding[]) => fs.map((f) => f.advisory).sort()

describe('Debian packages (DLA-3012-1: libxml2 in Debian 9, fixed in 2.9.4+dfsg1-2.2+deb9u7)', () => {
  it('finds a vulnerable source package, listed version → exact, with the CVE and fixed version', () => {
    const [f, ...rest] = scan('pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u6?distro=debian-9')
    expect(rest.filter((x) => x.advisory === 'DLA-3012-1')).toEqual([])
    expect(f).toMatchObject({
      advisory: 'DLA-3012-1',
      cve: 'CVE-2022-29824',
      fixed: '2.9.4+dfsg1-2.2+deb9u7',
      confidence: 'exact',
      component: { name: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u6' },
    })
  })

  it('no false positive on the patched package, nor on a later binNMU of it', () => {
    expect(ids(scan('pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u7?distro=debian-9'))).not.toContain(
      'DLA-3012-1',
    )
    expect(
      ids(
        scan(
          'pkg:deb/debian/libxml2-utils@2.9.4%2Bdfsg1-2.2%2Bdeb9u7%2Bb1?distro=debian-9&upstream=libxml2%402.9.4%2Bdfsg1-2.2%2Bdeb9u7',
        ),
      ),
    ).not.toContain('DLA-3012-1')
  })

  it('matches a binary package through its source name and source version', () => {
    const fs = scan(
      'pkg:deb/debian/libxml2-utils@2.9.4%2Bdfsg1-2.2%2Bdeb9u3?distro=debian-9&upstream=libxml2',
    )
    expect(ids(fs)).toContain('DLA-3012-1')
  })

  it('ignores another Debian release, and a package whose release is unknown', () => {
    expect(ids(scan('pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u6?distro=debian-12'))).not.toContain(
      'DLA-3012-1',
    )
    expect(ids(scan('pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u6'))).not.toContain('DLA-3012-1')
  })
})

describe('Alpine, npm, PyPI and Go', () => {
  it('Alpine musl per release (ALPINE-CVE-2025-26519)', () => {
    expect(ids(scan('pkg:apk/alpine/musl@1.2.5-r0?distro=alpine-3.20.3'))).toContain('ALPINE-CVE-2025-26519')
    const fixed = index.get('ALPINE-CVE-2025-26519')?.packages.find((p) => p.release === '3.20')?.fixed
    expect(fixed).toBeTruthy()
    expect(ids(scan(`pkg:apk/alpine/musl@${fixed}?distro=alpine-3.20.3`))).not.toContain(
      'ALPINE-CVE-2025-26519',
    )
  })

  it('npm semver range (GHSA-whgm-jr23-g3j9: ansi-html < 0.0.8)', () => {
    expect(scan('pkg:npm/ansi-html@0.0.7')[0]).toMatchObject({
      advisory: 'GHSA-whgm-jr23-g3j9',
      cve: 'CVE-2021-23424',
      fixed: '0.0.8',
      confidence: 'exact',
    })
    expect(scan('pkg:npm/ansi-html@0.0.8')).toEqual([])
  })

  it('PyPI with PEP 503 names (PYSEC-2023-74: requests >= 2.3.0, < 2.31.0)', () => {
    expect(ids(scan('pkg:pypi/Requests@2.30.0'))).toContain('PYSEC-2023-74')
    expect(ids(scan('pkg:pypi/requests@2.31.0'))).not.toContain('PYSEC-2023-74')
    expect(ids(scan('pkg:pypi/requests@2.2.0'))).not.toContain('PYSEC-2023-74')
  })

  it('Go module with a v-prefixed purl version and two intervals (GO-2022-0493)', () => {
    expect(ids(scan('pkg:golang/stdlib@v1.18.1'))).toContain('GO-2022-0493')
    expect(ids(scan('pkg:golang/stdlib@v1.17.10'))).not.toContain('GO-2022-0493')
    expect(ids(scan('pkg:golang/stdlib@v1.18.2'))).not.toContain('GO-2022-0493')
  })
})

describe('Maven (GHSA-3pxv-7cmr-fjr4: log4j-core >= 2.0-alpha1, < 2.25.4)', () => {
  it('matches group:artifact names from the purl namespace', () => {
    expect(ids(scan('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'))).toContain('GHSA-3pxv-7cmr-fjr4')
    expect(ids(scan('pkg:maven/org.apache.logging.log4j/log4j-core@2.25.4'))).not.toContain(
      'GHSA-3pxv-7cmr-fjr4',
    )
    expect(ids(scan('pkg:maven/org.example/log4j-core@2.14.1'))).not.toContain('GHSA-3pxv-7cmr-fjr4')
  })
})

describe('OSV event evaluation', () => {
  const advisory = (events: PackageAffect['ranges'][number]['events']): [Advisory, PackageAffect] => {
    const affect: PackageAffect = {
      ecosystem: 'Debian',
      purlType: 'deb',
      release: '12',
      name: 'demo',
      scheme: 'deb',
      schemeExact: true,
      ranges: [{ type: 'ECOSYSTEM', events }],
      versions: [],
      affected: 'demo',
      fixed: null,
    }
    const a: Advisory = {
      id: 'X',
      source: 'osv',
      revision: '1',
      title: 'x',
      aliases: [],
      cves: [],
      withdrawn: false,
      severity: null,
      score: null,
      packages: [affect],
      products: [],
      vulnerabilities: [],
      origin: 'test',
    }
    return [a, affect]
  }
  const pkg = (version: string) => ({ name: 'demo', version, purlType: 'deb', release: '12', purl: null })

  it('last_affected is inclusive, fixed is exclusive, several intervals each close', () => {
    const [a, affect] = advisory([
      { introduced: '1.0-1' },
      { last_affected: '1.2-1' },
      { introduced: '2.0-1' },
      { fixed: '2.3-1' },
    ])
    const hit = (v: string) => matchPackage(a, affect, pkg(v))?.fixed
    expect(matchPackage(a, affect, pkg('0.9-1'))).toBeNull()
    expect(matchPackage(a, affect, pkg('1.2-1'))).not.toBeNull()
    expect(matchPackage(a, affect, pkg('1.2-2'))).toBeNull()
    expect(hit('2.1-1')).toBe('2.3-1')
    expect(matchPackage(a, affect, pkg('2.3-1'))).toBeNull()
    expect(matchPackage(a, affect, pkg('1:0.1-1'))).toBeNull()
  })

  it('an incomparable version is a review finding, and a withdrawn advisory matches nothing', () => {
    const [a, affect] = advisory([{ introduced: '0' }, { fixed: '2.0-1' }])
    expect(matchPackage(a, affect, pkg('not a version!'))?.confidence).toBe('review')
    expect(matchPackage({ ...a, withdrawn: true }, affect, pkg('1.0-1'))).toBeNull()
  })
})
