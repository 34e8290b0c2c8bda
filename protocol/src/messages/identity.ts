import { ShortText, type Static, Type } from '../schema.js'

/** Operating system facts: /etc/os-release plus the running kernel. */
export const OsRelease = Type.Object(
  {
    platform: ShortText(32),
    id: ShortText(64),
    versionId: Type.Optional(ShortText(64)),
    codename: Type.Optional(ShortText(64)),
    prettyName: Type.Optional(ShortText(256)),
    kernel: ShortText(128),
    arch: ShortText(32),
  },
  { $id: 'OsRelease', description: 'Operating system release and kernel of a device' },
)
export type OsRelease = Static<typeof OsRelease>

/**
 * Who the device is. `vendor`, `model` and `firmwareVersion` are what advisories name (CSAF vendor →
 * product → version); they come from the agent's configuration, a file, or a command, because the
 * hardware/OS probes rarely know the medical-device product name.
 */
export const DeviceIdentity = Type.Object(
  {
    hostname: ShortText(255),
    vendor: Type.Optional(ShortText(128)),
    model: Type.Optional(ShortText(128)),
    serial: Type.Optional(ShortText(128)),
    firmwareVersion: Type.Optional(ShortText(128)),
    /** CPE the device is known by (2.2 URI or 2.3 string); matched against CSAF `product_identification_helper.cpe`. */
    cpe: Type.Optional(ShortText(512)),
    /** package-url of the device product; matched against CSAF `product_identification_helper.purl`. */
    purl: Type.Optional(ShortText(512)),
    hardware: Type.Optional(
      Type.Object({
        manufacturer: Type.Optional(ShortText(128)),
        model: Type.Optional(ShortText(128)),
        uuid: Type.Optional(ShortText(128)),
      }),
    ),
    os: OsRelease,
  },
  { $id: 'DeviceIdentity', description: 'Identity of a device as reported by its agent' },
)
export type DeviceIdentity = Static<typeof DeviceIdentity>
