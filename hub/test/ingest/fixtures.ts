import { type Inventory, PROTOCOL_VERSION } from '@vigil/protocol'
import { inventoryContentHash } from '../../src/ingest/content-hash.ts'

/** A valid inventory (hash = its content's) of `packages` packages at `version`. */
export function inventoryOf(version: string, packages = 1): Inventory {
  const inv: Inventory = {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash: '',
    os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
    packages: Array.from({ length: packages }, (_, i) => ({
      name: `pkg-${i}`,
      version,
      ecosystem: 'deb' as const,
      purl: `pkg:deb/debian/pkg-${i}@${version}`,
    })),
  }
  inv.hash = inventoryContentHash(inv)
  return inv
}
