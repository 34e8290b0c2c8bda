/**
 * Debian's dpkg status database (`/var/lib/dpkg/status`) → installed packages. Pure.
 * Only stanzas whose Status ends in `installed` count (as `dpkg-query -W -f='${db:Status-Status}'`).
 * A corrupt or truncated database yields every parsable package plus one error per bad stanza.
 */
import type { InstalledPackage, OsRelease } from '@vigil/protocol'
import { buildPurl, distroQualifier } from './purl.js'

export interface PackageParse {
  packages: InstalledPackage[]
  errors: string[]
}

/** Splits a deb822 document into stanzas of fields; continuation lines are joined with '\n'. */
export function parseDeb822(text: string, label: string, errors: string[]): Record<string, string>[] {
  const stanzas: Record<string, string>[] = []
  let current: Record<string, string> = {}
  let last: string | undefined
  let lineNo = 0
  const flush = () => {
    if (Object.keys(current).length > 0) stanzas.push(current)
    current = {}
    last = undefined
  }
  for (const line of text.split('\n')) {
    lineNo++
    if (line.trim() === '') {
      flush()
      continue
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === undefined) errors.push(`${label}:${lineNo}: continuation line without a field`)
      else current[last] += `\n${line.slice(1)}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0 || !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(line.slice(0, colon))) {
      errors.push(`${label}:${lineNo}: not a "Field: value" line: ${JSON.stringify(line.slice(0, 80))}`)
      last = undefined
      continue
    }
    last = line.slice(0, colon)
    current[last] = line.slice(colon + 1).trim()
  }
  flush()
  return stanzas
}

const SOURCE = /^([A-Za-z0-9][A-Za-z0-9+.-]*)(?:\s+\(([^)\s]+)\))?$/

export function parseDpkgStatus(
  text: string,
  os: Pick<OsRelease, 'id' | 'versionId'>,
  label = 'dpkg status',
): PackageParse {
  const errors: string[] = []
  const packages: InstalledPackage[] = []
  const namespace = os.id || 'debian'
  const distro = distroQualifier(os)
  for (const stanza of parseDeb822(text, label, errors)) {
    const name = stanza.Package
    const status = stanza.Status
    if (!name) {
      errors.push(`${label}: stanza without a Package field (${Object.keys(stanza).slice(0, 3).join(', ')})`)
      continue
    }
    if (!status) {
      errors.push(`${label}: package ${name} has no Status field`)
      continue
    }
    if (status.split(/\s+/)[2] !== 'installed') continue
    const version = stanza.Version
    if (!version) {
      errors.push(`${label}: installed package ${name} has no Version field`)
      continue
    }
    const arch = stanza.Architecture || undefined
    const pkg: InstalledPackage = {
      name,
      version,
      ecosystem: 'deb',
      purl: buildPurl({ type: 'deb', namespace, name, version, qualifiers: { arch, distro } }),
    }
    if (arch) pkg.arch = arch
    const src = stanza.Source
    if (src) {
      const m = SOURCE.exec(src)
      if (m?.[1]) pkg.source = { name: m[1], version: m[2] ?? version }
      else errors.push(`${label}: package ${name} has an unreadable Source field ${JSON.stringify(src)}`)
    } else pkg.source = { name, version }
    packages.push(pkg)
  }
  return { packages, errors }
}
