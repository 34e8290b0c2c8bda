/**
 * What is matched: a device (vendor/model/firmware, for CSAF) and its packages (for OSV). The hub
 * builds a `MatchTarget` from a device's identity + inventory (`targetFromInventory`), the scanner from
 * a CycloneDX SBOM (`sbom.ts`).
 */
import type { DeviceIdentity, Inventory, OsRelease } from '@vigil/protocol'
import { normalizeRelease } from './ecosystems.js'

export interface MatchPackage {
  name: string
  version: string
  /** package-url type: deb, apk, npm, pypi, golang… */
  purlType: string
  /** Distro release the package belongs to (`12`, `3.20`), null when unknown. */
  release: string | null
  /** Source package (Debian `Source:`, Alpine origin), when it differs or is known. */
  source?: { name: string; version?: string | undefined } | undefined
  purl: string | null
}

export interface MatchDevice {
  vendor: string
  model: string
  firmware: string
  purl: string | null
  /** CPE the device reports for itself (2.2 URI or 2.3 string), matched against the helper's. */
  cpe?: string | null
  /** Serial number: narrows entries whose helper lists `serial_numbers`. */
  serial?: string | null
}

export interface MatchTarget {
  devices: MatchDevice[]
  packages: MatchPackage[]
}

const CODENAMES: Record<string, string> = {
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  bionic: '18.04',
  focal: '20.04',
  jammy: '22.04',
  noble: '24.04',
}

/** A distro release as advisories write it: Debian major, Ubuntu `YY.MM`, Alpine `major.minor`. */
export function releaseOf(distroId: string, version: string | undefined, codename?: string): string | null {
  const id = distroId.toLowerCase()
  if (version === undefined || version === '') {
    return codename !== undefined ? (CODENAMES[codename.toLowerCase()] ?? null) : null
  }
  const v = normalizeRelease(version)
  if (id === 'debian') return v.split('.')[0] ?? v
  if (id === 'alpine' || id === 'wolfi' || id === 'chainguard') return v.split('.').slice(0, 2).join('.')
  return v
}

/** `distro=debian-12`, `distro=bookworm`, `distro=alpine-3.20.3`, `distro=ubuntu-22.04`. */
export function releaseFromQualifier(distro: string | undefined): string | null {
  if (distro === undefined || distro === '') return null
  const m = /^([a-z]+)-(.+)$/i.exec(distro)
  if (m?.[1] !== undefined && m[2] !== undefined) return releaseOf(m[1], m[2])
  return CODENAMES[distro.toLowerCase()] ?? null
}

function osRelease(os: OsRelease): string | null {
  return releaseOf(os.id, os.versionId, os.codename)
}

/**
 * A device as CSAF matching sees it: vendor + model + firmware, or a CPE / purl of its own (then the
 * firmware may be missing: a CPE's version stands in). Null when it names no product.
 */
export function deviceFromIdentity(
  identity: DeviceIdentity,
  firmware: string | undefined,
): MatchDevice | null {
  const named = Boolean(identity.vendor && identity.model && firmware)
  if (!named && !identity.cpe && !identity.purl) return null
  return {
    vendor: identity.vendor ?? '',
    model: identity.model ?? '',
    firmware: firmware ?? '',
    purl: identity.purl ?? null,
    cpe: identity.cpe ?? null,
  }
}

/** The hub's view of a device → match target. */
export function targetFromInventory(identity: DeviceIdentity, inventory: Inventory): MatchTarget {
  const release = osRelease(inventory.os)
  const devices: MatchDevice[] = []
  const firmware = identity.firmwareVersion ?? inventory.firmwareVersion
  const device = deviceFromIdentity(identity, firmware)
  if (device !== null) devices.push(device)
  return {
    devices,
    packages: inventory.packages.map((p) => ({
      name: p.name,
      version: p.version,
      purlType: p.ecosystem === 'golang' ? 'golang' : p.ecosystem,
      release: p.ecosystem === 'deb' || p.ecosystem === 'apk' || p.ecosystem === 'rpm' ? release : null,
      source: p.source,
      purl: p.purl,
    })),
  }
}
