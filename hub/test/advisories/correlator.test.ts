import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DeviceIdentity, Inventory } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { Correlator } from '../../src/advisories/correlator.ts'
import { normalizeCsaf } from '../../src/advisories/normalize/csaf.ts'
import { normalizeOsv } from '../../src/advisories/normalize/osv.ts'
import { createVendorMatcher } from '../../src/advisories/vendor.ts'
import { CISA, OSV } from './data.ts'

const DLA = join(
  OSV,
  'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian/DLA-3012-1.json',
)
const os = { platform: 'linux', id: 'debian', versionId: '9', kernel: '4.9', arch: 'x64' }

function inventory(hash: string, libxml2: string): Inventory {
  return {
    v: 1,
    ts: '2026-01-01T00:00:00.000Z',
    hash: hash.repeat(64),
    os,
    packages: [
      {
        name: 'libxml2',
        version: libxml2,
        ecosystem: 'deb',
        source: { name: 'libxml2' },
        purl: `pkg:deb/debian/libxml2@${libxml2}`,
      },
    ],
  }
}
const identity = (firmware: string): DeviceIdentity => ({
  hostname: 'pump',
  vendor: 'BD',
  model: 'BD Alaris Point-of-Care Unit (PCU) Model 8015',
  firmwareVersion: firmware,
  os,
})

async function osv(path: string, patch: (d: Record<string, unknown>) => void = () => {}) {
  const doc = JSON.parse(await readFile(path, 'utf8'))
  patch(doc)
  const r = normalizeOsv(doc, path)
  if (!r.ok) throw new Error(r.reason)
  return r.advisory
}

describe('Correlator: incremental correlation', () => {
  it('a new advisory re-correlates only the inventories and devices holding its keys', async () => {
    const c = new Correlator()
    expect(c.forDevice(identity('12.1.3'), inventory('a', '2.9.4+dfsg1-2.2+deb9u6'))).toEqual([])
    c.forDevice(identity('12.3.1'), inventory('b', '2.9.4+dfsg1-2.2+deb9u7'))
    c.forDevice(
      { ...identity('1'), vendor: 'Acme', model: 'Other' },
      { ...inventory('c', '1'), packages: [] },
    )

    const dla = c.upsertAdvisory(await osv(DLA))
    expect(dla).toEqual({ outcome: 'added', inventories: ['a'.repeat(64), 'b'.repeat(64)], devices: [] })
    expect(
      c.forDevice(identity('12.1.3'), inventory('a', '2.9.4+dfsg1-2.2+deb9u6')).map((f) => f.advisory),
    ).toEqual(['DLA-3012-1'])
    expect(c.forDevice(identity('12.3.1'), inventory('b', '2.9.4+dfsg1-2.2+deb9u7'))).toEqual([])

    const csaf = normalizeCsaf(
      JSON.parse(await readFile(join(CISA, '2023/icsma-23-194-01.json'), 'utf8')),
      'x',
      createVendorMatcher(),
    )
    if (!csaf.ok) throw new Error(csaf.reason)
    const change = c.upsertAdvisory(csaf.advisory)
    expect(change.inventories).toEqual([])
    expect(change.devices).toHaveLength(2)
    const pump = c.forDevice(identity('12.1.3'), inventory('a', '2.9.4+dfsg1-2.2+deb9u6'))
    expect(new Set(pump.map((f) => f.advisory))).toEqual(new Set(['DLA-3012-1', 'ICSMA-23-194-01']))
  })

  it('a withdrawn revision clears the findings it caused; a stale one changes nothing', async () => {
    const c = new Correlator()
    c.upsertAdvisory(await osv(DLA))
    expect(c.forDevice(identity('1'), inventory('a', '2.9.4+dfsg1-2.2+deb9u6'))).toHaveLength(1)
    const stale = c.upsertAdvisory(await osv(DLA, (d) => (d.modified = '2000-01-01T00:00:00Z')))
    expect(stale.outcome).toBe('stale')
    const withdrawn = c.upsertAdvisory(
      await osv(DLA, (d) => {
        d.modified = '2099-01-01T00:00:00Z'
        d.withdrawn = '2099-01-01T00:00:00Z'
      }),
    )
    expect(withdrawn).toMatchObject({ outcome: 'updated', inventories: ['a'.repeat(64)] })
    expect(c.forDevice(identity('1'), inventory('a', '2.9.4+dfsg1-2.2+deb9u6'))).toEqual([])
  })
})
