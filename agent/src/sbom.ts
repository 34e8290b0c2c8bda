/**
 * The device as a CycloneDX 1.6 JSON SBOM: `metadata.component` is the device (supplier = vendor,
 * name = model, version = firmware), `components[]` the installed packages with their purls and
 * source packages (the protocol's `vigil:sourcePackage` convention, which `vigil-hub scan` reads).
 */
import * as CDX from '@cyclonedx/cyclonedx-library'
import {
  type DeviceIdentity,
  formatSourcePackage,
  type Inventory,
  SBOM_SOURCE_PACKAGE_PROPERTY,
} from '@vigil/protocol'
import { AGENT_VERSION } from './version.js'

export function buildSbom(identity: DeviceIdentity, inventory: Inventory, now = new Date()): string {
  const bom = new CDX.Models.Bom()
  bom.metadata.timestamp = now
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'vigil-agent', { version: AGENT_VERSION }),
  )
  const device = new CDX.Models.Component(
    CDX.Enums.ComponentType.Device,
    identity.model ?? identity.hostname,
    {
      bomRef: 'device',
      ...(inventory.firmwareVersion ? { version: inventory.firmwareVersion } : {}),
      ...(identity.vendor
        ? { supplier: new CDX.Models.OrganizationalEntity({ name: identity.vendor }) }
        : {}),
      description: `${identity.hostname}: ${inventory.os.prettyName ?? inventory.os.id}, kernel ${inventory.os.kernel}`,
    },
  )
  bom.metadata.component = device
  const os = new CDX.Models.Component(CDX.Enums.ComponentType.OperatingSystem, inventory.os.id, {
    bomRef: 'os',
    ...(inventory.os.versionId ? { version: inventory.os.versionId } : {}),
  })
  bom.components.add(os)
  for (const [i, p] of inventory.packages.entries()) {
    const c = new CDX.Models.Component(CDX.Enums.ComponentType.Library, p.name, {
      bomRef: `pkg-${i}`,
      version: p.version,
      purl: p.purl,
    })
    if (p.source)
      c.properties.add(new CDX.Models.Property(SBOM_SOURCE_PACKAGE_PROPERTY, formatSourcePackage(p.source)))
    bom.components.add(c)
  }
  const serializer = new CDX.Serialize.JsonSerializer(
    new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6),
  )
  return serializer.serialize(bom, { sortLists: false, space: 2 })
}
