/**
 * Assembles an Inventory from parsed package lists and computes its content hash. Pure.
 * The hash covers firmware, OS and packages (not the timestamp), so identical images share it.
 */
import { createHash } from 'node:crypto'
import type { InstalledPackage, Inventory, OsRelease } from '@vigil/protocol'
import { canonicalJson, PROTOCOL_VERSION } from '@vigil/protocol/wire'
import type { PackageParse } from './dpkg.js'

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex')
}

export function inventoryHash(content: {
  firmwareVersion?: string | undefined
  os: OsRelease
  packages: InstalledPackage[]
}): string {
  return sha256Hex(
    canonicalJson({ firmwareVersion: content.firmwareVersion, os: content.os, packages: content.packages }),
  )
}

function byNameArch(a: InstalledPackage, b: InstalledPackage): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  const aa = a.arch ?? ''
  const ba = b.arch ?? ''
  if (aa !== ba) return aa < ba ? -1 : 1
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0
}

export interface BuildInventoryInput {
  ts: Date
  os: OsRelease
  firmwareVersion?: string | undefined
  parses: PackageParse[]
  errors?: string[]
}

export function buildInventory(input: BuildInventoryInput): Inventory {
  const packages = input.parses.flatMap((p) => p.packages).sort(byNameArch)
  const errors = [...(input.errors ?? []), ...input.parses.flatMap((p) => p.errors)].map((e) =>
    e.length > 1024 ? `${e.slice(0, 1021)}...` : e,
  )
  const inv: Inventory = {
    v: PROTOCOL_VERSION,
    ts: input.ts.toISOString(),
    hash: inventoryHash({ firmwareVersion: input.firmwareVersion, os: input.os, packages }),
    os: input.os,
    packages,
  }
  if (input.firmwareVersion) inv.firmwareVersion = input.firmwareVersion
  if (errors.length > 0) {
    inv.errors =
      errors.length > 100 ? [...errors.slice(0, 99), `… and ${errors.length - 99} more errors`] : errors
  }
  return inv
}
