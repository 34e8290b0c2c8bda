/**
 * Gateway images for the bench: this machine's dpkg status file, varied into ~50 distinct images of ~700
 * packages (as real fleets run a few images), and device identities spread over them. Deterministic: the
 * same seed gives the same images in every worker process.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  canonicalJson,
  type DeviceIdentity,
  type InstalledPackage,
  type Inventory,
  type OsRelease,
} from '@vigil/protocol'

export const OS: OsRelease = {
  platform: 'linux',
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
  kernel: '6.1.0-28-amd64',
  arch: 'x64',
}

/** Real (vendor, model, firmware) triples in the style of the CISA CSAF data, some inside ranges. */
const MODELS: [string, string, string][] = [
  ['Becton, Dickinson and Company (BD)', 'Alaris PC Unit', '9.33'],
  ['Baxter', 'Welch Allyn Connex Spot Monitor', '1.52'],
  ['Philips', 'IntelliVue MX800', 'M.00.03'],
  ['Siemens', 'SCALANCE W700', '6.5.0'],
  ['Hillrom', 'Welch Allyn Spot Vital Signs 4400', '1.11.00'],
  ['Medtronic', 'MiniMed 600 Series', '2.6A'],
  ['Schneider Electric', 'Modicon M340', '3.40'],
  ['Rockwell Automation', 'ControlLogix 5580', '32.011'],
]

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Installed packages of a dpkg status file (name, version, arch, source). */
export function readDpkg(path = '/var/lib/dpkg/status'): InstalledPackage[] {
  const out: InstalledPackage[] = []
  for (const stanza of readFileSync(path, 'utf8').split(/\n\n+/)) {
    const f: Record<string, string> = {}
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line)
      if (m?.[1] && m[2] !== undefined) f[m[1]] = m[2]
    }
    if (!f.Package || !f.Version || !/ installed$/.test(f.Status ?? '')) continue
    const arch = f.Architecture ?? 'all'
    const pkg: InstalledPackage = {
      name: f.Package,
      version: f.Version,
      ecosystem: 'deb',
      arch,
      purl: `pkg:deb/debian/${f.Package}@${encodeURIComponent(f.Version)}?arch=${arch}&distro=debian-12`,
    }
    if (f.Source) {
      const m = /^(\S+)(?:\s+\((.+)\))?$/.exec(f.Source)
      if (m?.[1]) pkg.source = m[2] ? { name: m[1], version: m[2] } : { name: m[1] }
    }
    out.push(pkg)
  }
  return out
}

/** The hub's content hash (hub/src/ingest/content-hash.ts): it refuses an inventory whose hash differs. */
export const hashOf = (inv: Pick<Inventory, 'firmwareVersion' | 'os' | 'packages'>) =>
  createHash('sha256')
    .update(canonicalJson({ firmwareVersion: inv.firmwareVersion, os: inv.os, packages: inv.packages }))
    .digest('hex')

/**
 * `count` images: each drops a few packages and pins some to older revisions (`~bench<n>` sorts before
 * the real version in dpkg order, so older builds hit more advisories), and carries a firmware version.
 */
export function buildImages(count: number, base = readDpkg()): Inventory[] {
  const images: Inventory[] = []
  for (let i = 0; i < count; i++) {
    const r = rng(1000 + i)
    const packages: InstalledPackage[] = []
    for (const p of base) {
      const x = r()
      if (x < 0.04) continue
      if (x < 0.12) {
        const version = `${p.version}~bench${i}`
        packages.push({ ...p, version, purl: p.purl.replace(/@[^?]+/, `@${encodeURIComponent(version)}`) })
      } else packages.push(p)
    }
    const model = MODELS[i % MODELS.length] ?? MODELS[0]
    const firmwareVersion = model ? model[2] : '1.0'
    const content = { firmwareVersion, os: OS, packages }
    images.push({ v: 1, ts: new Date(0).toISOString(), hash: hashOf(content), ...content })
  }
  return images
}

/** Identity of device number `n` (its image is `n % images`). */
export function identityOf(
  n: number,
  images: number,
  models: [string, string, string][] = MODELS,
): DeviceIdentity {
  const image = n % images
  const model = models[image % models.length] ?? MODELS[0]
  return {
    hostname: `gw-${String(n).padStart(5, '0')}`,
    ...(model ? { vendor: model[0], model: model[1], firmwareVersion: model[2] } : {}),
    serial: `SN${100000 + n}`,
    os: OS,
  }
}
