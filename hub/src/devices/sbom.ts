/**
 * A device's CycloneDX 1.6 SBOM, derived from its last inventory: `metadata.component` is the device
 * (manufacturer, model, firmware), `components[]` the OS and every package with its purl. The same shape
 * `vigil-hub scan --sbom` reads.
 */
import { createHash } from 'node:crypto'
import { formatSourcePackage, type Inventory, SBOM_SOURCE_PACKAGE_PROPERTY } from '@vigil/protocol'
import type { DeviceRecord } from '../store/types.js'

export function deviceSbom(device: DeviceRecord, inventory: Inventory): Record<string, unknown> {
  const id = device.identity
  const serial = createHash('sha256').update(`${device.id}:${inventory.hash}`).digest('hex')
  const uuid = `${serial.slice(0, 8)}-${serial.slice(8, 12)}-4${serial.slice(13, 16)}-8${serial.slice(17, 20)}-${serial.slice(20, 32)}`
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuid}`,
    version: 1,
    metadata: {
      timestamp: inventory.ts,
      tools: { components: [{ type: 'application', name: 'vigil-hub' }] },
      component: {
        type: 'device',
        'bom-ref': `device:${device.id}`,
        name: id?.model ?? device.name,
        ...(inventory.firmwareVersion || id?.firmwareVersion
          ? { version: inventory.firmwareVersion ?? id?.firmwareVersion }
          : {}),
        ...(id?.vendor ? { manufacturer: { name: id.vendor }, supplier: { name: id.vendor } } : {}),
        properties: [
          { name: 'vigil:deviceId', value: device.id },
          { name: 'vigil:deviceName', value: device.name },
          ...(id?.hostname ? [{ name: 'vigil:hostname', value: id.hostname }] : []),
          ...(id?.serial ? [{ name: 'vigil:serial', value: id.serial }] : []),
        ],
      },
    },
    components: [
      {
        type: 'operating-system',
        'bom-ref': 'os',
        name: inventory.os.id,
        ...(inventory.os.versionId ? { version: inventory.os.versionId } : {}),
        description: inventory.os.prettyName ?? `${inventory.os.id} ${inventory.os.kernel}`,
      },
      ...inventory.packages.map((p) => ({
        type: 'library',
        'bom-ref': p.purl,
        name: p.name,
        version: p.version,
        purl: p.purl,
        ...(p.source
          ? {
              properties: [{ name: SBOM_SOURCE_PACKAGE_PROPERTY, value: formatSourcePackage(p.source) }],
            }
          : {}),
      })),
    ],
  }
}
