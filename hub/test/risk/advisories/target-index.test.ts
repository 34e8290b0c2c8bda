import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { parseSbom } from '../../../src/risk/advisories/sbom.ts'
import type { MatchTarget } from '../../../src/risk/advisories/target.ts'
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
