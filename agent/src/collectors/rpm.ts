/**
 * `rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n'` → packages. Pure.
 */
import type { InstalledPackage, OsRelease } from '@vigil/protocol'
import type { PackageParse } from './dpkg.js'
import { buildPurl, distroQualifier } from './purl.js'

export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n'

/** `openssl-3.0.7-27.el9.src.rpm` → `openssl`, `3.0.7-27.el9`. */
export function parseSourceRpm(srpm: string): { name: string; version?: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(srpm)
  if (!m?.[1]) return undefined
  return { name: m[1], version: `${m[2]}-${m[3]}` }
}

export function parseRpmQa(text: string, os: Pick<OsRelease, 'id' | 'versionId'>): PackageParse {
  const errors: string[] = []
  const packages: InstalledPackage[] = []
  const namespace = os.id || 'rpm'
  const distro = distroQualifier(os)
  let lineNo = 0
  for (const line of text.split('\n')) {
    lineNo++
    if (line.trim() === '') continue
    const [name, evr, arch, srpm] = line.split('\t')
    if (!name || !evr) {
      errors.push(`rpm -qa:${lineNo}: unreadable line ${JSON.stringify(line.slice(0, 80))}`)
      continue
    }
    const version = evr.startsWith('0:') ? evr.slice(2) : evr
    const epoch = evr.startsWith('0:') ? undefined : evr.split(':')[0]
    const purlVersion = epoch ? evr.slice(epoch.length + 1) : version
    const pkgArch = arch && arch !== '(none)' ? arch : undefined
    const pkg: InstalledPackage = {
      name,
      version,
      ecosystem: 'rpm',
      purl: buildPurl({
        type: 'rpm',
        namespace,
        name,
        version: purlVersion,
        qualifiers: { arch: pkgArch, epoch, distro },
      }),
    }
    if (pkgArch) pkg.arch = pkgArch
    const source = srpm ? parseSourceRpm(srpm) : undefined
    if (source) pkg.source = source
    packages.push(pkg)
  }
  return { packages, errors }
}
