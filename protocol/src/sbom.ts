/**
 * The one SBOM convention Vigil adds to CycloneDX: a package's source package. Distro advisories
 * (Debian's DSA/DLA, Alpine's secdb) name source packages (`openssl`), devices install binary ones
 * (`libssl3`), so the SBOM must carry the link. The agent's SBOM (`vigil-agent check --sbom`) and the
 * hub's device SBOM (`GET /api/v1/devices/<id>/sbom`) write it; `vigil-hub scan` reads it.
 *
 * A component's property `vigil:sourcePackage` holds `<name>` or `<name>@<version>` (the version only
 * when the source version differs from the binary's, as dpkg's `Source: name (version)` field does).
 * Source package names never contain `@` (Debian: `[a-z0-9][a-z0-9+.-]+`).
 */

export const SBOM_SOURCE_PACKAGE_PROPERTY = 'vigil:sourcePackage'

export interface SourcePackage {
  name: string
  version?: string
}

export function formatSourcePackage(source: SourcePackage): string {
  return source.version ? `${source.name}@${source.version}` : source.name
}

/** The property's value back; undefined when it names no package. */
export function parseSourcePackage(value: string): SourcePackage | undefined {
  const at = value.indexOf('@')
  const name = (at >= 0 ? value.slice(0, at) : value).trim()
  if (name === '') return undefined
  const version = at >= 0 ? value.slice(at + 1).trim() : ''
  return version ? { name, version } : { name }
}
