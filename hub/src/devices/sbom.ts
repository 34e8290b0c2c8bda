/**
 * A device's CycloneDX 1.6 SBOM, derived from its last inventory and written by protocol's one SBOM
 * writer (the agent's `check --sbom` uses the same): `metadata.component` is the device (supplier =
 * vendor, model, firmware, and `vigil:*` properties naming it), `components[]` the OS and every package
 * with its purl. The same shape `vigil-hub scan --sbom` reads. The serial number is derived from the
 * device and the inventory, so the same inventory gives the same document.
 */
import { createHash } from 'node:crypto'
import type { Inventory } from '@vigil/protocol'
import { writeDeviceSbom } from '@vigil/protocol/sbom-writer'
import type { DeviceRecord } from '../store/types.js'

/** The SBOM as JSON text. */
export function deviceSbom(device: DeviceRecord, inventory: Inventory): string {
  const id = device.identity
  const serial = createHash('sha256').update(`${device.id}:${inventory.hash}`).digest('hex')
  const uuid = `${serial.slice(0, 8)}-${serial.slice(8, 12)}-4${serial.slice(13, 16)}-8${serial.slice(17, 20)}-${serial.slice(20, 32)}`
  return writeDeviceSbom({
    inventory,
    device: {
      name: id?.model ?? device.name,
      version: inventory.firmwareVersion ?? id?.firmwareVersion,
      vendor: id?.vendor,
      properties: [
        ['vigil:deviceId', device.id],
        ['vigil:deviceName', device.name],
        ...(id?.hostname ? [['vigil:hostname', id.hostname] as const] : []),
        ...(id?.serial ? [['vigil:serial', id.serial] as const] : []),
      ],
    },
    tool: { name: 'vigil-hub' },
    timestamp: new Date(inventory.ts),
    serialNumber: `urn:uuid:${uuid}`,
  })
}
