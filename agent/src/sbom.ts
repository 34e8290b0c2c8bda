/**
 * The device as a CycloneDX 1.6 JSON SBOM (`vigil-agent check --sbom`), written by protocol's one SBOM
 * writer (the hub's device SBOM uses the same): `metadata.component` is the device (supplier = vendor,
 * name = model, version = firmware), `components[]` the OS and the installed packages with their purls
 * and source packages.
 */
import type { DeviceIdentity, Inventory } from '@vigil/protocol'
import { writeDeviceSbom } from '@vigil/protocol/sbom-writer'
import { AGENT_VERSION } from './version.js'

export function buildSbom(identity: DeviceIdentity, inventory: Inventory, now = new Date()): string {
  return writeDeviceSbom({
    inventory,
    device: {
      name: identity.model ?? identity.hostname,
      version: inventory.firmwareVersion,
      vendor: identity.vendor,
      description: `${identity.hostname}: ${inventory.os.prettyName ?? inventory.os.id}, kernel ${inventory.os.kernel}`,
    },
    tool: { name: 'vigil-agent', version: AGENT_VERSION },
    timestamp: now,
  })
}
