import { describe, expect, it } from 'vitest'
import type { Inventory } from '../src/index.ts'
import { SBOM_SOURCE_PACKAGE_PROPERTY } from '../src/sbom.ts'
import { writeDeviceSbom } from '../src/sbom-writer.ts'

const inventory: Inventory = {
  v: 1,
  ts: '2026-11-28T12:00:00.000Z',
  hash: 'a'.repeat(64),
  os: { platform: 'linux', id: 'debian', versionId: '12', kernel: '6.1', arch: 'x64' },
  packages: [
    {
      name: 'libssl3',
      version: '3.0.11-1',
      ecosystem: 'deb',
      source: { name: 'openssl' },
      purl: 'pkg:deb/debian/libssl3@3.0.11-1',
    },
    { name: 'zlib1g', version: '1:1.2.13', ecosystem: 'deb', purl: 'pkg:deb/debian/zlib1g@1:1.2.13' },
  ],
}

describe('writeDeviceSbom', () => {
  it('writes CycloneDX 1.6: the device with its vendor and properties, the OS, each package with purl and source', () => {
    const doc = JSON.parse(
      writeDeviceSbom({
        inventory,
        device: {
          name: 'GW-100',
          version: '2.1',
          vendor: 'Acme Medical',
          properties: [['vigil:deviceId', 'dev-1']],
        },
        tool: { name: 'vigil-hub' },
        timestamp: new Date(inventory.ts),
        serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      }),
    )
    expect(doc).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      metadata: {
        timestamp: '2026-11-28T12:00:00.000Z',
        component: {
          type: 'device',
          name: 'GW-100',
          version: '2.1',
          supplier: { name: 'Acme Medical' },
          manufacturer: { name: 'Acme Medical' },
          properties: [{ name: 'vigil:deviceId', value: 'dev-1' }],
        },
      },
    })
    expect(doc.metadata.tools.components[0].name).toBe('vigil-hub')
    expect(doc.components.map((c: { type: string; name: string }) => `${c.type} ${c.name}`)).toEqual([
      'operating-system debian',
      'library libssl3',
      'library zlib1g',
    ])
    expect(doc.components[1]).toMatchObject({
      purl: 'pkg:deb/debian/libssl3@3.0.11-1',
      properties: [{ name: SBOM_SOURCE_PACKAGE_PROPERTY, value: 'openssl' }],
    })
    expect(doc.components[2].properties ?? []).toEqual([])
  })

  it('leaves out what it is not given (no serial number, vendor or firmware)', () => {
    const doc = JSON.parse(
      writeDeviceSbom({
        inventory,
        device: { name: 'gw' },
        tool: { name: 't', version: '1' },
        timestamp: new Date(0),
      }),
    )
    expect(doc.serialNumber).toBeUndefined()
    expect(doc.metadata.component.supplier).toBeUndefined()
    expect(doc.metadata.component.manufacturer).toBeUndefined()
    expect(doc.metadata.component.version ?? '').toBe('')
  })
})
