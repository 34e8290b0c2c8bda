/**
 * A few gateway images built from a real package list (this machine's dpkg status): the base image,
 * an older patch level (some security-relevant packages one Debian update behind), a slim image, and a
 * variant with extra packages. Real fleets share images, so most devices share an inventory hash.
 */
import type { InstalledPackage, OsRelease } from '@vigil/protocol'
import { type PackageParse, parseDpkgStatus } from '../collectors/dpkg.js'
import { buildPurl, distroQualifier } from '../collectors/purl.js'

export interface GatewayImage {
  name: string
  os: OsRelease
  parse: PackageParse
}

/** `3.0.17-1~deb12u2` → `3.0.17-1~deb12u1`; `2.36-9+deb12u10` → `2.36-9+deb12u8`; else the upstream minus one. */
export function olderVersion(v: string): string {
  const deb = /^(.*deb\d+u)(\d+)$/.exec(v)
  if (deb?.[2] && Number(deb[2]) > 1) return `${deb[1]}${Number(deb[2]) - 2 > 0 ? Number(deb[2]) - 2 : 1}`
  const m = /^(.*?)(\d+)(-[^-]*)?$/.exec(v)
  if (m?.[2] && Number(m[2]) > 0) return `${m[1]}${Number(m[2]) - 1}${m[3] ?? ''}`
  return v
}

function withVersion(p: InstalledPackage, version: string, os: OsRelease): InstalledPackage {
  const q = { arch: p.arch, distro: distroQualifier(os) }
  return {
    ...p,
    version,
    purl: buildPurl({ type: p.ecosystem, namespace: os.id, name: p.name, version, qualifiers: q }),
    ...(p.source ? { source: { name: p.source.name, version } } : {}),
  }
}

const BEHIND =
  /^(openssl|libssl|glibc|libc6|curl|libcurl|openssh|zlib|systemd|libsystemd|tzdata|sudo|bash|libxml2|expat|libexpat|gnutls|libgnutls)/

export function buildImages(dpkgStatus: string, os: OsRelease): GatewayImage[] {
  const base = parseDpkgStatus(dpkgStatus, os)
  const older = base.packages.map((p) =>
    BEHIND.test(p.source?.name ?? p.name) ? withVersion(p, olderVersion(p.version), os) : p,
  )
  const slim = base.packages.filter((_, i) => i % 3 !== 0)
  const extra: InstalledPackage[] = ['mosquitto', 'nginx-light', 'snmpd'].map((name) => ({
    name,
    version: '2.0.11-1.2+deb12u1',
    ecosystem: 'deb',
    arch: 'amd64',
    source: { name, version: '2.0.11-1.2+deb12u1' },
    purl: buildPurl({
      type: 'deb',
      namespace: os.id,
      name,
      version: '2.0.11-1.2+deb12u1',
      qualifiers: { arch: 'amd64', distro: distroQualifier(os) },
    }),
  }))
  return [
    { name: 'base', os, parse: base },
    { name: 'behind', os, parse: { packages: older, errors: [] } },
    { name: 'slim', os, parse: { packages: slim, errors: [] } },
    { name: 'edge', os, parse: { packages: [...base.packages, ...extra], errors: [] } },
  ]
}
