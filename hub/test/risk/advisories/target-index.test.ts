import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { parseSbom } from '../../../src/risk/advisories/sbom.ts'
import type { MatchPackage, MatchTarget } from '../../../src/risk/advisories/target.ts'
import { TargetIndex } from '../../../src/risk/advisories/target-index.ts'
import { createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { CISA, OSV } from './data.ts'
import { deviceSbom } from './sbom-fixtures.ts'

function target(vendor: string, model: string, firmware: string, purls: string[] = []): MatchTarget {
  const r = parseSbom(deviceSbom({ vendor, model, firmware, purls }))
  if (!r.ok) throw new Error(r.reason)
  return r.target
}

describe('TargetIndex: keys → inventories for incremental correlation', () => {
  it('a new advisory touches only the inventories that hold its keys', async () => {
    const vendors = createVendorMatcher()
    const targets = new TargetIndex(vendors)
    targets.add(
      'gw-debian9',
      target('Acme', 'Gateway', '1', ['pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2?distro=debian-9']),
    )
    targets.add('pump', target('BD', 'BD Alaris Point-of-Care Unit (PCU) Model 8015', '12.1.3'))
    targets.add('other', target('Acme', 'Gateway', '1', ['pkg:npm/left-pad@1.0.0']))
    expect(targets.add('pump', target('BD', 'x', '1'))).toBe(false)

    const s = await importAdvisories([
      join(
        OSV,
        'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian/DLA-3012-1.json',
      ),
      join(CISA, '2023/icsma-23-194-01.json'),
    ])
    const index = s.index
    if (!index) throw new Error('no index')
    const dla = index.get('DLA-3012-1')
    const csaf = index.get('ICSMA-23-194-01')
    if (!dla || !csaf) throw new Error('not imported')
    expect(targets.targetsFor(index.keysOf(dla))).toEqual(['gw-debian9'])
    expect(targets.targetsFor(index.keysOf(csaf))).toEqual(['pump'])

    expect(targets.remove('pump')).toBe(true)
    expect(targets.targetsFor(index.keysOf(csaf))).toEqual([])
    expect(targets.size).toBe(2)
  })
})

describe('TargetIndex indexes a target when a lookup first needs it', () => {
  const NAMES = ['openssl', 'zlib', 'curl', 'bash', 'libxml2']
  const pkg = (name: string, release: string | null): MatchPackage => ({
    name,
    version: '1.0-1',
    purlType: 'deb',
    release,
    purl: null,
  })
  it('answers what scanning every held target answers, with adds, removals and lookups interleaved', () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('add' as const),
        hash: fc.nat(4),
        names: fc.subarray(NAMES),
        release: fc.constantFrom(null, '12'),
      }),
      fc.record({ op: fc.constant('remove' as const), hash: fc.nat(4) }),
      fc.record({ op: fc.constant('lookup' as const), names: fc.subarray(NAMES, { minLength: 1 }) }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const targets = new TargetIndex(createVendorMatcher())
        const held = new Map<string, MatchTarget>()
        for (const st of steps) {
          if (st.op === 'add') {
            const t: MatchTarget = { devices: [], packages: st.names.map((n) => pkg(n, st.release)) }
            expect(targets.add(`t${st.hash}`, t)).toBe(!held.has(`t${st.hash}`))
            if (!held.has(`t${st.hash}`)) held.set(`t${st.hash}`, t)
          } else if (st.op === 'remove') {
            expect(targets.remove(`t${st.hash}`)).toBe(held.delete(`t${st.hash}`))
          } else {
            const keys = st.names.map((n) => `pkg|deb|*|${n}`)
            const want = [...held]
              .filter(([, t]) => targets.keysOf(t).some((k) => keys.includes(k)))
              .map(([h]) => h)
            expect(targets.targetsFor(keys).sort()).toEqual(want.sort())
          }
          expect(targets.size).toBe(held.size)
        }
      }),
      { numRuns: 300 },
    )
  })
})
