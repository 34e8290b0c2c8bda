import { ProtocolVersion, Sequenced, Sha256Hex, ShortText, type Static, Timestamp, Type } from '../schema.js'
import { OsRelease } from './identity.js'

export const PackageEcosystem = Type.Union(
  [
    Type.Literal('deb'),
    Type.Literal('apk'),
    Type.Literal('rpm'),
    Type.Literal('npm'),
    Type.Literal('pypi'),
    Type.Literal('maven'),
    Type.Literal('golang'),
    Type.Literal('gem'),
    Type.Literal('composer'),
    Type.Literal('generic'),
  ],
  { description: 'package-url type of the package' },
)
export type PackageEcosystem = Static<typeof PackageEcosystem>

/** One installed package. Distro advisories name source packages, hence `source`. */
export const InstalledPackage = Type.Object(
  {
    name: ShortText(256),
    version: ShortText(256),
    ecosystem: PackageEcosystem,
    arch: Type.Optional(ShortText(32)),
    source: Type.Optional(Type.Object({ name: ShortText(256), version: Type.Optional(ShortText(256)) })),
    purl: ShortText(1024),
  },
  { $id: 'InstalledPackage' },
)
export type InstalledPackage = Static<typeof InstalledPackage>

/**
 * The patch level of a device: firmware, OS and packages. `hash` is the SHA-256 of the canonical
 * content (see `inventoryHash`), so identical gateway images share one hash.
 */
export const Inventory = Type.Object(
  {
    v: ProtocolVersion,
    ts: Timestamp,
    hash: Sha256Hex,
    firmwareVersion: Type.Optional(ShortText(128)),
    os: OsRelease,
    packages: Type.Array(InstalledPackage, { maxItems: 50_000 }),
    errors: Type.Optional(
      Type.Array(ShortText(1024), {
        maxItems: 100,
        description: 'collector errors: the inventory holds what could be parsed',
      }),
    ),
    ...Sequenced,
  },
  { $id: 'Inventory', description: 'Installed firmware, OS and packages of a device' },
)
export type Inventory = Static<typeof Inventory>
