/**
 * The one CycloneDX 1.6 JSON writer for a device's SBOM, on @cyclonedx/cyclonedx-library: the agent's
 * `vigil-agent check --sbom` and the hub's `GET /api/v1/devices/<id>/sbom` both write with it.
 * `metadata.component` is the device (manufacturer and supplier = vendor, name = model, version = firmware),
 * `components[]` the OS and every package with its purl and source package (`sbom.ts`'s convention,
 * which `vigil-hub scan` reads). Node only: a subpath (`@vigil/protocol/sbom-writer`), so the dashboard
 * never bundles the library.
 */
import * as CDX from '@cyclonedx/cyclonedx-library'
import type { Inventory } from './messages/inventory.js'
import { formatSourcePackage, SBOM_SOURCE_PACKAGE_PROPERTY } from './sbom.js'

export interface DeviceSbomInput {
  inventory: Inventory
  /** The device as `metadata.component`. */
  device: {
    name: string
    version?: string | undefined
    vendor?: string | undefined
    description?: string | undefined
    /** `vigil:*` properties naming the device (id, name, hostname, serial…). */
    properties?: readonly (readonly [name: string, value: string])[]
  }
  /** The tool that wrote it (`metadata.tools`). */
  tool: { name: string; version?: string }
  timestamp: Date
  /** `urn:uuid:…`, for a document that is the same each time it is written from the same inventory. */
  serialNumber?: string
}

/** The SBOM as pretty-printed CycloneDX 1.6 JSON text. */
export function writeDeviceSbom(input: DeviceSbomInput): string {
  const { inventory, device } = input
  const bom = new CDX.Models.Bom(input.serialNumber ? { serialNumber: input.serialNumber } : {})
  bom.metadata.timestamp = input.timestamp
  bom.metadata.tools.components.add(
    new CDX.Models.Component(
      CDX.Enums.ComponentType.Application,
      input.tool.name,
      input.tool.version ? { version: input.tool.version } : {},
    ),
  )
  const component = new CDX.Models.Component(CDX.Enums.ComponentType.Device, device.name, {
    bomRef: 'device',
    ...(device.version ? { version: device.version } : {}),
    ...(device.vendor ? { supplier: new CDX.Models.OrganizationalEntity({ name: device.vendor }) } : {}),
    ...(device.description ? { description: device.description } : {}),
  })
  for (const [name, value] of device.properties ?? [])
    component.properties.add(new CDX.Models.Property(name, value))
  bom.metadata.component = component
  bom.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.OperatingSystem, inventory.os.id, {
      bomRef: 'os',
      ...(inventory.os.versionId ? { version: inventory.os.versionId } : {}),
      description: inventory.os.prettyName ?? `${inventory.os.id} ${inventory.os.kernel}`,
    }),
  )
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
  const text = serializer.serialize(bom, { sortLists: false, space: 2 })
  if (!device.vendor) return text
  // CycloneDX 1.6 has `component.manufacturer`; the library (10.x) does not model it yet, so it is added
  // to the serialised document: a device's maker is its manufacturer, not only its supplier.
  const doc = JSON.parse(text) as { metadata: { component: Record<string, unknown> } }
  doc.metadata.component.manufacturer = { name: device.vendor }
  return JSON.stringify(doc, null, 2)
}
