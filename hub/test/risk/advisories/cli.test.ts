import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scanCommand } from '../../../src/risk/advisories/cli.ts'
import { CISA, LINTER } from './data.ts'
import { deviceSbom } from './sbom-fixtures.ts'

const HUB = fileURLToPath(new URL('../../../', import.meta.url))
let dir: string
let inside: string
let outside: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-scan-'))
  inside = join(dir, 'inside.cdx.json')
  outside = join(dir, 'outside.cdx.json')
  const model = 'BD Alaris Point-of-Care Unit (PCU) Model 8015'
  await writeFile(inside, JSON.stringify(deviceSbom({ vendor: 'BD', model, firmware: '12.1.3' })))
  await writeFile(
    outside,
    JSON.stringify(deviceSbom({ vendor: 'BD', model: 'Not A Product', firmware: '1.0' })),
  )
  await writeFile(join(dir, 'garbage.json'), '{"bomFormat": "SPDX"}')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err }
}

describe('scanCommand (function)', () => {
  it('prints {"findings":[…]} with the SPEC fields and exits 1 when something is found', async () => {
    const c = capture()
    const code = await scanCommand(['--sbom', inside, '--advisories', CISA, '--json'], c.io)
    expect(code).toBe(1)
    const { findings } = JSON.parse(c.out.join(''))
    const f = findings.find((x: { advisory: string }) => x.advisory === 'ICSMA-23-194-01')
    expect(Object.keys(f).slice(0, 8)).toEqual([
      'advisory',
      'cve',
      'component',
      'affected',
      'fixed',
      'severity',
      'kev',
      'confidence',
    ])
    expect(f).toMatchObject({
      cve: expect.stringMatching(/^CVE-/),
      component: { name: 'BD Alaris Point-of-Care Unit (PCU) Model 8015', version: '12.1.3', purl: null },
      affected: '<=12.1.3',
      kev: false,
      confidence: 'range',
    })
  })

  it('exits 0 with no findings', async () => {
    const c = capture()
    expect(await scanCommand(['scan', '--sbom', outside, '--advisories', CISA, '--json'], c.io)).toBe(0)
    expect(JSON.parse(c.out.join(''))).toEqual({ findings: [] })
  })

  it('prints a table without --json', async () => {
    const c = capture()
    expect(await scanCommand(['--sbom', inside, '--advisories', CISA], c.io)).toBe(1)
    expect(c.out.join('')).toMatch(/^SEVERITY\s+KEV\s+ADVISORY/)
    expect(c.out.join('')).toMatch(/ICSMA-23-194-01/)
  })

  it('exits 2 with the error on stderr for bad usage and bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--sbom', inside], /--advisories are required/],
      [['--sbom', inside, '--advisories', CISA, '--bogus'], /Unknown option/],
      [['--sbom', join(dir, 'nope.json'), '--advisories', CISA], /SBOM file not found/],
      [['--sbom', inside, '--advisories', join(dir, 'nope')], /advisories directory not found/],
      [['--sbom', join(dir, 'garbage.json'), '--advisories', CISA], /not a CycloneDX/],
    ]
    for (const [argv, message] of cases) {
      const c = capture()
      expect(await scanCommand(argv, c.io), argv.join(' ')).toBe(2)
      expect(c.err.join('')).toMatch(message)
      expect(c.out).toEqual([])
    }
  })

  it('joins EPSS scores from a CSV in the advisories folder', async () => {
    const adv = join(dir, 'adv')
    await mkdir(adv)
    await copyFile(join(CISA, '2023/icsma-23-194-01.json'), join(adv, 'icsma-23-194-01.json'))
    await writeFile(join(adv, 'epss.csv'), 'cve,epss,percentile\nCVE-2023-30563,0.00123,0.4\n')
    const c = capture()
    expect(await scanCommand(['--sbom', inside, '--advisories', adv, '--json'], c.io)).toBe(1)
    const { findings } = JSON.parse(c.out.join(''))
    expect(findings.find((f: { cve: string }) => f.cve === 'CVE-2023-30563')).toMatchObject({ epss: 0.00123 })
    expect(findings.find((f: { cve: string }) => f.cve === 'CVE-2023-30559')).not.toHaveProperty('epss')
  })

  it('warns about refused advisory files but still scans', async () => {
    const c = capture()
    expect(await scanCommand(['--sbom', outside, '--advisories', LINTER, '--json'], c.io)).toBe(0)
    expect(c.err.join('')).toMatch(/advisory refused: .*nointroduced/)
  })
})

describe('vigil-hub scan as a real process', () => {
  const run = promisify(execFile)
  const tsx = join(HUB, 'node_modules/.bin/tsx')
  const main = join(HUB, 'src/risk/advisories/scan-main.ts')

  it('exits 1 with findings JSON on stdout', async () => {
    const r = await run(tsx, [
      '--conditions=source',
      main,
      '--sbom',
      inside,
      '--advisories',
      CISA,
      '--json',
    ]).catch((e: { code: number; stdout: string }) => e)
    expect('code' in r ? r.code : 0).toBe(1)
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0)
  })

  it('exits 0 without findings and 2 on error', async () => {
    const ok = await run(tsx, [
      '--conditions=source',
      main,
      '--sbom',
      outside,
      '--advisories',
      CISA,
      '--json',
    ])
    expect(JSON.parse(ok.stdout)).toEqual({ findings: [] })
    const bad = await run(tsx, ['--conditions=source', main, '--sbom', outside]).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect('code' in bad ? bad.code : 0).toBe(2)
    expect(bad.stderr).toMatch(/required/)
  })
})
