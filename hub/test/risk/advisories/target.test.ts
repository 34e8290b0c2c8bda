import type { DeviceIdentity, Inventory } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { releaseFromQualifier, releaseOf, targetFromInventory } from '../../../src/risk/advisories/target.ts'

const os = {
  platform: 'linux',
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  kernel: '6.1.0',
  arch: 'x64',
}

describe('hub inventory → match target', () => {
  it('carries the distro release to deb packages and the identity to a device', () => {
    const identity: DeviceIdentity = {
      hostname: 'gw1',
      vendor: 'Philips',
      model: 'IntelliVue MX40',
      firmwareVersion: 'B.06.18',
      os,
    }
    const inventory: Inventory = {
      v: 1,
      ts: '2026-01-01T00:00:00.000Z',
      hash: 'a'.repeat(64),
      os,
      packages: [
        {
          name: 'libssl3',
          version: '3.0.11-1~deb12u2',
          ecosystem: 'deb',
          source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
          purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12',
        },
        { name: 'left-pad', version: '1.0.0', ecosystem: 'npm', purl: 'pkg:npm/left-pad@1.0.0' },
      ],
    }
    const t = targetFromInventory(identity, inventory)
    expect(t.devices).toEqual([
      { vendor: 'Philips', model: 'IntelliVue MX40', firmware: 'B.06.18', purl: null, cpe: null },
    ])
    // A device known only by the CPE it reports is still a device to match (issue 17).
    const byCpe = targetFromInventory(
      { hostname: 'x', os: identity.os, cpe: 'cpe:/h:philips:intellivue_mx40' },
      inventory,
    )
    expect(byCpe.devices).toEqual([
      { vendor: '', model: '', firmware: '', purl: null, cpe: 'cpe:/h:philips:intellivue_mx40' },
    ])
    expect(t.packages[0]).toMatchObject({ purlType: 'deb', release: '12', source: { name: 'openssl' } })
    expect(t.packages[1]).toMatchObject({ purlType: 'npm', release: null })
  })

  it('knows how each distro writes its release', () => {
    expect(releaseOf('debian', '12.5')).toBe('12')
    expect(releaseOf('alpine', '3.20.3')).toBe('3.20')
    expect(releaseOf('ubuntu', '22.04')).toBe('22.04')
    expect(releaseOf('debian', undefined, 'bookworm')).toBe('12')
    expect(releaseFromQualifier('debian-12')).toBe('12')
    expect(releaseFromQualifier('bullseye')).toBe('11')
    expect(releaseFromQualifier('alpine-3.19.1')).toBe('3.19')
    expect(releaseFromQualifier(undefined)).toBeNull()
  })
})
