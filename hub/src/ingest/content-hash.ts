/**
 * The content hashes of inventories and hardening reports, recomputed by the hub from what a device
 * sent (protocol README: "content hashes"). A device names the hash of its content; the hub never
 * stores content under a hash it did not compute itself, so no device can place contents under
 * another image's hash.
 *
 *   inventory: sha256(canonicalJson({ firmwareVersion, os, packages }))
 *   hardening: sha256(canonicalJson({ baseline: { id, version }, results }))
 */
import { createHash } from 'node:crypto'
import { canonicalJson, type HardeningReport, type Inventory } from '@vigil/protocol'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export function inventoryContentHash(inv: Inventory): string {
  return sha256(canonicalJson({ firmwareVersion: inv.firmwareVersion, os: inv.os, packages: inv.packages }))
}

export function hardeningContentHash(r: HardeningReport): string {
  return sha256(
    canonicalJson({ baseline: { id: r.baseline.id, version: r.baseline.version }, results: r.results }),
  )
}
