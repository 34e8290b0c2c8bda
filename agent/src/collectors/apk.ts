/**
 * Alpine's installed database (`/lib/apk/db/installed`) → installed packages. Pure.
 * Records are blank-line separated `X:value` lines: P name, V version, A arch, o origin (source).
 */
import type { InstalledPackage, OsRelease } from '@vigil/protocol'
import type { PackageParse } from './dpkg.js'
import { buildPurl, distroQualifier } from './purl.js'

export function parseApkInstalled(
  text: string,
  os: Pick<OsRelease, 'id' | 'versionId'>,
  label = 'apk installed',
): PackageParse {
  const errors: string[] = []
  const packages: InstalledPackage[] = []
  const distro = distroQualifier(os)
  let rec: Record<string, string> = {}
  let lineNo = 0
  const flush = () => {
    if (Object.keys(rec).length === 0) return
    const name = rec.P
    const version = rec.V
    if (!name || !version) {
      errors.push(`${label}:${lineNo}: record without ${name ? 'V (version)' : 'P (name)'}`)
    } else {
      const arch = rec.A || undefined
      const pkg: InstalledPackage = {
        name,
        version,
        ecosystem: 'apk',
        purl: buildPurl({ type: 'apk', namespace: 'alpine', name, version, qualifiers: { arch, distro } }),
        source: { name: rec.o || name, version },
      }
      if (arch) pkg.arch = arch
      packages.push(pkg)
    }
    rec = {}
  }
  for (const line of text.split('\n')) {
    lineNo++
    if (line.trim() === '') {
      flush()
      continue
    }
    if (line.length < 2 || line[1] !== ':') {
      errors.push(`${label}:${lineNo}: not an "X:value" line: ${JSON.stringify(line.slice(0, 80))}`)
      continue
    }
    const key = line[0] as string
    // Only the first occurrence of a key counts (R:/Z: repeat per file and must not override P/V).
    if (!(key in rec)) rec[key] = line.slice(2)
  }
  flush()
  return { packages, errors }
}
