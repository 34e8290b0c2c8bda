/**
 * package-url (https://github.com/package-url/purl-spec) builders for OS packages. Pure.
 */
import type { OsRelease, PackageEcosystem } from '@vigil/protocol'

function enc(s: string): string {
  // purl percent-encodes everything except unreserved characters; '+' and ':' must be encoded too.
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** purl namespace per ecosystem: the distro id (debian, ubuntu, alpine, fedora, …). */
export function distroQualifier(os: Pick<OsRelease, 'id' | 'versionId'>): string | undefined {
  if (!os.id) return undefined
  return os.versionId ? `${os.id}-${os.versionId}` : os.id
}

export interface PurlInput {
  type: PackageEcosystem
  namespace?: string
  name: string
  version: string
  qualifiers?: Record<string, string | undefined>
}

export function buildPurl(input: PurlInput): string {
  const ns = input.namespace ? `${enc(input.namespace.toLowerCase())}/` : ''
  const name = input.type === 'deb' || input.type === 'apk' ? input.name.toLowerCase() : input.name
  const q = Object.entries(input.qualifiers ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    // Code-point order, as package-url asks (localeCompare would load ICU's collation data, ~4 MB resident).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join('&')
  return `pkg:${input.type}/${ns}${enc(name)}@${enc(input.version)}${q ? `?${q}` : ''}`
}
