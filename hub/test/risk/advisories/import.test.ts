import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AdvisoryIndex } from '../../../src/risk/advisories/advisory-index.ts'
import { correlate } from '../../../src/risk/advisories/correlate.ts'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { jsonDepth } from '../../../src/risk/advisories/json-guard.ts'
import { createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { CISA, DATA, LINTER, OASIS, OSV } from './data.ts'

const KEV_DIR = join(DATA, 'kev/cisagov__kev-data')

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vigil-adv-'))
  dirs.push(d)
  return d
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

const BD = join(CISA, '2023/icsma-23-194-01.json')

describe('importAdvisories: bad input is refused per file while the rest proceeds', () => {
  it('refuses the OASIS must-fail mandatory files and imports the must-pass ones', async () => {
    const s = await importAdvisories([join(OASIS, 'test/validator/data/mandatory')])
    expect(s.rejected).toHaveLength(87)
    for (const r of s.rejected) expect(r.reason).toMatch(/^CSAF (schema|mandatory test 6\.1\.\d+)/)
    expect(s.imported.length + s.skipped.length).toBe(s.files - 87)
    expect(s.imported.length).toBeGreaterThan(40)
  })

  it('refuses osv-linter’s broken records and imports its good ones', async () => {
    const s = await importAdvisories([LINTER])
    expect(s.rejected.map((r) => r.file.slice(LINTER.length + 1)).sort()).toEqual([
      'nointroduced-CVE-2023-41045.json',
      'nondistinct-CVE-2018-5407.json',
    ])
    expect(s.imported).toContain('CVE-2018-5407')
    expect(s.imported).toContain('GO-2020-0001')
  })

  it('refuses files over the size limit, absurd nesting, non-JSON and unknown formats', async () => {
    const d = await tempDir()
    await copyFile(BD, join(d, 'ok.json'))
    await writeFile(join(d, 'deep.json'), `${'['.repeat(5000)}${']'.repeat(5000)}`)
    await writeFile(join(d, 'broken.json'), '{"document": ')
    await writeFile(join(d, 'other.json'), '{"hello": "world"}')
    await writeFile(join(d, 'big.json'), JSON.stringify({ pad: 'x'.repeat(300_000) }))
    const s = await importAdvisories([d, join(d, 'missing.json')], { maxFileBytes: 200_000 })
    const reasons = Object.fromEntries(s.rejected.map((r) => [r.file.slice(d.length + 1), r.reason]))
    expect(reasons).toEqual({
      'big.json': expect.stringMatching(/exceeds the limit of 200000/),
      'broken.json': expect.stringMatching(/not valid JSON/),
      'deep.json': expect.stringMatching(/nesting deeper than 64/),
      'missing.json': expect.stringMatching(/ENOENT/),
      'other.json': expect.stringMatching(/not an OSV record, CSAF 2.0 document or KEV catalog/),
    })
    expect(s.imported).toEqual(['ICSMA-23-194-01'])
  })

  it('skips the JSON Schema that comes beside the KEV catalog instead of refusing it (no warning at every start)', async () => {
    const s = await importAdvisories([KEV_DIR])
    expect(s.rejected).toEqual([])
    expect(s.skipped).toEqual([
      {
        file: join(KEV_DIR, 'known_exploited_vulnerabilities_schema.json'),
        reason: 'a JSON Schema, not an advisory',
      },
    ])
    expect(s.kev.size).toBeGreaterThan(1000)
  })

  it('reports a duplicate id at the same revision, and keeps the first', async () => {
    const d = await tempDir()
    await copyFile(BD, join(d, 'a.json'))
    await copyFile(BD, join(d, 'b.json'))
    const s = await importAdvisories([d])
    expect(s.imported).toEqual(['ICSMA-23-194-01'])
    expect(s.skipped).toEqual([
      { file: join(d, 'b.json'), reason: expect.stringMatching(/duplicate id ICSMA-23-194-01/) },
    ])
  })
})

describe('revisions', () => {
  async function revised(version: string, history: string[]): Promise<string> {
    const doc = JSON.parse(await readFile(BD, 'utf8'))
    doc.document.tracking.version = version
    doc.document.tracking.revision_history = history.map((n, i) => ({
      date: `2023-07-${String(11 + i).padStart(2, '0')}T06:00:00.000000Z`,
      number: n,
      summary: `revision ${n}`,
    }))
    doc.document.tracking.current_release_date = `2023-07-${String(10 + history.length).padStart(2, '0')}T06:00:00.000000Z`
    return JSON.stringify(doc)
  }

  it('a newer CSAF revision replaces the older; an older one is skipped', async () => {
    const index = new AdvisoryIndex(createVendorMatcher())
    const d = await tempDir()
    await writeFile(join(d, 'v1.json'), await revised('1', ['1']))
    await writeFile(join(d, 'v2.json'), await revised('2', ['1', '2']))
    const first = await importAdvisories([join(d, 'v2.json')], { sink: index })
    expect(first.imported).toEqual(['ICSMA-23-194-01'])
    const older = await importAdvisories([join(d, 'v1.json')], { sink: index })
    expect(older.skipped[0]?.reason).toMatch(/not newer/)
    expect(index.get('ICSMA-23-194-01')?.revision).toBe('2')
    await writeFile(join(d, 'v3.json'), await revised('3', ['1', '2', '3']))
    const newer = await importAdvisories([join(d, 'v3.json')], { sink: index })
    expect(newer.updated).toEqual(['ICSMA-23-194-01'])
    expect(index.get('ICSMA-23-194-01')?.revision).toBe('3')
    expect(index.size).toBe(1)
  })

  it('a newer OSV `modified` replaces the older, and the index forgets the old keys', async () => {
    const index = new AdvisoryIndex(createVendorMatcher())
    const src = join(
      OSV,
      'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/npm/GHSA-whgm-jr23-g3j9.json',
    )
    const doc = JSON.parse(await readFile(src, 'utf8'))
    await importAdvisories([src], { sink: index })
    const d = await tempDir()
    doc.modified = '2099-01-01T00:00:00Z'
    doc.affected[0].package.name = 'ansi-html-community'
    await writeFile(join(d, 'newer.json'), JSON.stringify(doc))
    const s = await importAdvisories([d], { sink: index })
    expect(s.updated).toEqual(['GHSA-whgm-jr23-g3j9'])
    const a = index.get('GHSA-whgm-jr23-g3j9')
    expect(a && index.keysOf(a)).toEqual(['pkg|npm|*|ansi-html-community'])
    const pkg = { name: 'ansi-html', version: '0.0.1', purlType: 'npm', release: null, purl: null }
    expect(index.packageCandidates(pkg)).toEqual([])
  })
})

describe('withdrawn and unknown ecosystems', () => {
  const GHSA = join(
    OSV,
    'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/npm/GHSA-whgm-jr23-g3j9.json',
  )
  const pkg = { name: 'ansi-html', version: '0.0.7', purlType: 'npm', release: null, purl: null }

  it('a withdrawn revision replaces the advisory, which then matches nothing', async () => {
    const index = new AdvisoryIndex(createVendorMatcher())
    await importAdvisories([GHSA], { sink: index })
    expect(correlate({ devices: [], packages: [pkg] }, index)).toHaveLength(1)
    const doc = JSON.parse(await readFile(GHSA, 'utf8'))
    doc.modified = '2099-01-01T00:00:00Z'
    doc.withdrawn = '2099-01-01T00:00:00Z'
    const d = await tempDir()
    await writeFile(join(d, 'withdrawn.json'), JSON.stringify(doc))
    expect((await importAdvisories([d], { sink: index })).updated).toEqual(['GHSA-whgm-jr23-g3j9'])
    expect(correlate({ devices: [], packages: [pkg] }, index)).toEqual([])
  })

  it('an ecosystem the schema allows but Vigil cannot match is reported; the rest is kept', async () => {
    const doc = JSON.parse(await readFile(GHSA, 'utf8'))
    doc.affected.push({ ...doc.affected[0], package: { ecosystem: 'Android', name: 'platform' } })
    const d = await tempDir()
    await writeFile(join(d, 'mixed.json'), JSON.stringify(doc))
    const s = await importAdvisories([d])
    expect(s.imported).toEqual(['GHSA-whgm-jr23-g3j9'])
    expect(s.notes.map((n) => n.reason)).toEqual([expect.stringMatching(/unknown ecosystem "Android"/)])
    expect(s.index?.get('GHSA-whgm-jr23-g3j9')?.packages).toHaveLength(1)
  })
})

describe('jsonDepth', () => {
  it('ignores brackets inside strings', () => {
    expect(jsonDepth('{"a":"[[[[","b":[1,[2]]}', 10)).toBe(3)
    expect(jsonDepth('"\\"[["', 10)).toBe(0)
  })
})
