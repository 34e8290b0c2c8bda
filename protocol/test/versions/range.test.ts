import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRange, rangeContains, type VersionRange } from '../../src/versions/range.ts'
import type { VersionScheme } from '../../src/versions/types.ts'

function range(text: string, scheme?: VersionScheme): VersionRange {
  const parsed = parseRange(text, scheme)
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${parsed.reason}`)
  return parsed.range
}

describe('parseRange: vers', () => {
  it('reads scheme, comparators and sorts constraints', () => {
    expect(range('vers:npm/<5.0.0|>=2.0.0|1.2.3')).toEqual({
      raw: 'vers:npm/<5.0.0|>=2.0.0|1.2.3',
      scheme: 'semver',
      all: false,
      constraints: [
        { comparator: '=', version: '1.2.3' },
        { comparator: '>=', version: '2.0.0' },
        { comparator: '<', version: '5.0.0' },
      ],
    })
    expect(range('vers:deb/>= 1.0 | < 1.2.3-1').scheme).toBe('deb')
    expect(range('VERS:Alpine/<1.2-r1').scheme).toBe('apk')
    expect(range('vers:generic/%3E%3D1.0%2B1').constraints).toEqual([{ comparator: '=', version: '>=1.0+1' }])
  })

  it('reads * as every version', () => {
    expect(range('vers:all/*')).toMatchObject({ all: true, scheme: 'generic', constraints: [] })
    expect(range('vers:all/*', 'deb').scheme).toBe('deb')
    expect(range('vers:rpm/*')).toMatchObject({ all: true, scheme: 'rpm' })
  })

  it.each([
    ['vers:conan/1.0', /unsupported versioning scheme "conan"/],
    ['vers:npm', /vers:<scheme>\/<constraints>/],
    ['vers:npm/', /no constraints/],
    ['vers:all/1.0', /only allows "\*"/],
    ['vers:npm/<1.0.0|<2.0.0', /do not form an interval/],
    ['vers:npm/>=1.0.0|>2.0.0', /do not form an interval/],
    ['vers:npm/==1.0.0', /not a vers comparator/],
    ['vers:npm/>=', /has no version/],
    ['vers:npm/1.0.0|%E0%A4%A', /percent-encoding/],
    ['vers:semver/>=banana', /invalid semver version "banana"/],
    ['vers:deb/<1:', /nothing after colon/],
  ])('refuses %s with a reason', (text, reason) => {
    const parsed = parseRange(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) {
      expect(parsed.raw).toBe(text)
      expect(parsed.reason).toMatch(reason)
    }
  })
})

describe('parseRange: bare CSAF forms', () => {
  it.each([
    ['<= 9.33', [{ comparator: '<=', version: '9.33' }]],
    ['< 14.1s0', [{ comparator: '<', version: '14.1s0' }]],
    [
      '>= 1.0.0 | <= 1.1.1',
      [
        { comparator: '>=', version: '1.0.0' },
        { comparator: '<=', version: '1.1.1' },
      ],
    ],
    [
      '9.19 | 9.13',
      [
        { comparator: '=', version: '9.13' },
        { comparator: '=', version: '9.19' },
      ],
    ],
    [
      '12.2.x.x',
      [
        { comparator: '>=', version: '12.2' },
        { comparator: '<', version: '12.3' },
      ],
    ],
    ['B.06.18', [{ comparator: '=', version: 'B.06.18' }]],
    ['==2.0', [{ comparator: '=', version: '2.0' }]],
    ['>= 2.0 | <= 2.0', [{ comparator: '=', version: '2.0' }]],
    [
      'MMT-1762 | MMT-1780 | MMT-1762',
      [
        { comparator: '=', version: 'MMT-1762' },
        { comparator: '=', version: 'MMT-1780' },
      ],
    ],
  ])('%s', (text, constraints) => {
    expect(range(text).constraints).toEqual(constraints)
  })

  it.each([
    ['<= 1.54 (integrated into GE MobileLink)', /not a comparator followed by one version/],
    ['<  july 1 2017', /not a comparator followed by one version/],
    ['shipped between 2016-August 2018', /not a comparator followed by one version/],
    ['<8/30/2024', /not a comparator followed by one version/],
    ['< 3.x', /comparator on a wildcard/],
    ['653 MCE 3.x', /not a comparator followed by one version/],
    ['<= K', /no digit/],
    ['Accu-Chek Inform II', /not a comparator/],
    ['', /empty range/],
    ['1.0 |', /has no version/],
    ['< 1.0 | < 2.0', /do not form an interval/],
    ['>= 1.0 | < 1.0', /repeat one version/],
    ['1.0 | != 1.0', /repeat one version/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseRange(text)
    expect(parsed).toMatchObject({ ok: false, raw: text })
    if (!parsed.ok) expect(parsed.reason).toMatch(reason)
  })

  it('joins touching wildcard intervals', () => {
    expect(range('4.X | 5.X').constraints).toEqual([
      { comparator: '>=', version: '4' },
      { comparator: '<', version: '6' },
    ])
  })

  it('wildcards get bounds that suit the scheme', () => {
    expect(range('1.x', 'semver').constraints).toEqual([
      { comparator: '>=', version: '1.0.0-0' },
      { comparator: '<', version: '2.0.0-0' },
    ])
    expect(range('2.4.*', 'deb').constraints.map((c) => c.version)).toEqual(['2.4~', '2.5~'])
    expect(range('2.4.*', 'pypi').constraints.map((c) => c.version)).toEqual(['2.4.dev0', '2.5.dev0'])
  })
})

describe('rangeContains', () => {
  const cases: [string, VersionScheme, string, boolean | undefined][] = [
    ['<= 9.33', 'generic', '9.33', true],
    ['<= 9.33', 'generic', '9.4', true],
    ['<= 9.33', 'generic', '9.34', false],
    ['<= 9.33', 'generic', '9.32.1', true],
    ['< 14.1s0', 'generic', '14.1', true],
    ['< 14.1s0', 'generic', '14.1s0', false],
    ['< 14.1s0', 'generic', '14.2', false],
    ['>= 1.0.0 | <= 1.1.1', 'generic', '1.0.0', true],
    ['>= 1.0.0 | <= 1.1.1', 'generic', '1.1', true],
    ['>= 1.0.0 | <= 1.1.1', 'generic', '1.1.2', false],
    ['>= 1.0.0 | <= 1.1.1', 'generic', '0.9', false],
    ['9.13 | 9.19', 'generic', '9.19', true],
    ['9.13 | 9.19', 'generic', '9.15', false],
    ['12.2.x.x', 'generic', '12.2.8.410', true],
    ['12.2.x.x', 'generic', '12.2', true],
    ['12.2.x.x', 'generic', '12.3.0.1', false],
    ['12.2.x.x', 'generic', '12.1.9', false],
    ['4.X | 5.X', 'generic', '5.2', true],
    ['4.X | 5.X', 'generic', '6.0', false],
    ['4.X | 5.X', 'generic', '3.9', false],
    ['5.X | 4.1.x | 4.X', 'generic', '4.5', true],
    ['< B.06.18', 'generic', 'B.06.9', true],
    ['< B.06.18', 'generic', 'C.00.01', false],
    ['vers:all/*', 'generic', 'anything at all', true],
    ['vers:deb/>=1.0|<1.2.3-1', 'deb', '1.2.3-1~deb12u1', true],
    ['vers:deb/>=1.0|<1.2.3-1', 'deb', '1.2.3-1', false],
    ['vers:deb/<1:1.0', 'deb', '2.0', true],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', 'semver', '1.2.3', true],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', 'semver', '1.2.4', false],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', 'semver', '4.9.9', true],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', 'semver', '5.0.0', false],
    ['vers:npm/>=2.0.0|!=3.0.0|<5.0.0', 'semver', '3.0.0', false],
    ['vers:npm/!=3.0.0', 'semver', '3.0.1', true],
    ['vers:npm/<1.0.0|>=2.0.0|<3.0.0|>4.0.0', 'semver', '0.5.0', true],
    ['vers:npm/<1.0.0|>=2.0.0|<3.0.0|>4.0.0', 'semver', '1.5.0', false],
    ['vers:npm/<1.0.0|>=2.0.0|<3.0.0|>4.0.0', 'semver', '2.5.0', true],
    ['vers:npm/<1.0.0|>=2.0.0|<3.0.0|>4.0.0', 'semver', '4.0.0', false],
    ['vers:npm/<1.0.0|>=2.0.0|<3.0.0|>4.0.0', 'semver', '9.0.0', true],
    ['vers:pypi/>=2.0|<2.5.1', 'pypi', '2.5.1rc1', true],
    ['vers:apk/<3.1.4-r5', 'apk', '3.1.4-r4', true],
    ['vers:rpm/<1.0.2k-16.el7', 'rpm', '1.0.2k-12.el7', true],
    // A version the range's scheme cannot read: undecidable, the caller asks a human.
    ['vers:npm/<2.0.0', 'semver', 'not a version', undefined],
    ['<= 9.33', 'generic', 'july 2017', undefined],
  ]
  it.each(cases)('%s (%s) contains %s: %s', (text, scheme, version, expected) => {
    expect(rangeContains(range(text, scheme), version)).toBe(expected)
  })
})

describe('parseRange never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `vers:${s}`),
          fc.string().map((s) => `<= ${s}`),
        ),
        (s) => {
          const parsed = parseRange(s)
          return parsed.ok || (parsed.raw === s && parsed.reason.length > 0)
        },
      ),
      { numRuns: 3000 },
    )
  })
})

const CSAF_DIR = fileURLToPath(new URL('../../../testdata/csaf-cisa/', import.meta.url))

function* jsonFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* jsonFiles(path)
    else if (name.endsWith('.json')) yield path
  }
}

interface Branch {
  category?: string
  name?: string
  branches?: Branch[]
}

function versionNames(branches: Branch[] | undefined, out: Map<string, string>): void {
  for (const b of branches ?? []) {
    if (
      (b.category === 'product_version_range' || b.category === 'product_version') &&
      typeof b.name === 'string'
    ) {
      out.set(b.name, b.category)
    }
    versionNames(b.branches, out)
  }
}

describe('real CSAF product trees (testdata/csaf-cisa)', () => {
  const names = new Map<string, string>()
  for (const file of jsonFiles(CSAF_DIR)) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { product_tree?: { branches?: Branch[] } }
    versionNames(doc.product_tree?.branches, names)
  }

  it('every version name either parses or is refused with a reason', () => {
    expect(names.size).toBeGreaterThan(150)
    const refused: string[] = []
    for (const name of names.keys()) {
      const parsed = parseRange(name)
      if (!parsed.ok) {
        expect(parsed.reason, name).not.toBe('')
        refused.push(name)
      }
    }
    // Most are real versions or ranges; the rest are free text that must reach a human.
    expect(refused.length).toBeGreaterThan(20)
    expect(refused.length).toBeLessThan(names.size / 2)
    expect(refused).toContain('<= 1.54 (integrated into GE MobileLink)')
    expect(refused).toContain('<May 2018')
  })

  it.each([
    ['<= 9.33.1', '9.33', true],
    ['<= 9.33.1', '9.34', false],
    ['< B.06.18', 'B.06.17', true],
    ['< B.06.18', 'B.06.18', false],
    ['>= 1.0.0  | <= 1.3.1', '1.2', true],
    ['>= 1.0.0  | <= 1.3.1', '1.4', false],
    ['>=BT02 | <= BT06', 'BT04', true],
    ['>=BT02 | <= BT06', 'BT07', false],
    ['3.0|3.1', '3.1', true],
    ['3.0|3.1', '3.2', false],
    ['2.X', '2.5.1', true],
    ['2.X', '3.0', false],
    ['<12.2.8.410', '12.2.8.409', true],
    ['<=2023.3_Build_9342', '2023.3_Build_9000', true],
    ['vers:all/*', 'whatever', true],
  ])('%s contains %s: %s', (name, version, expected) => {
    expect(names.has(name), `${name} is in the data`).toBe(true)
    expect(rangeContains(range(name), version)).toBe(expected)
  })
})
