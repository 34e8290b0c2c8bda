/**
 * The hub's built modules that have no package export (advisories, store), loaded from the files next to
 * `@vigil/hub`'s entry point, with the few shapes the bench uses written out structurally.
 */
import type { DeviceIdentity, Inventory } from '@vigil/protocol'

const hubDist = new URL('.', import.meta.resolve('@vigil/hub'))

export async function loadHubModule<T>(path: string): Promise<T> {
  return (await import(new URL(path, hubDist).href)) as T
}

export interface MatchPackage {
  name: string
  version: string
  purlType: string
  release: string | null
  source?: { name: string; version?: string | undefined } | undefined
  purl: string | null
}
export interface MatchDevice {
  vendor: string
  model: string
  firmware: string
  purl: string | null
}
export interface MatchTarget {
  devices: MatchDevice[]
  packages: MatchPackage[]
}
export interface Advisory {
  id: string
  revision: string
  packages: { purlType: string; release: string | null; name: string }[]
  products: { vendor: string; product: string; versionRaw: string; versionKind: string }[]
}
export interface AdvisoryIndex {
  readonly size: number
  readonly vendors: unknown
  all(): IterableIterator<Advisory>
  keysOf(a: Advisory): string[]
  upsert(a: Advisory): string
}
export interface Finding {
  advisory: string
}
export interface AdvisoriesModules {
  importAdvisories(paths: string[]): Promise<{
    index: AdvisoryIndex | null
    kev: Map<string, unknown>
    epss: Map<string, number>
    rejected: unknown[]
  }>
  correlate(
    target: MatchTarget,
    index: AdvisoryIndex,
    e?: { kev: Map<string, unknown>; epss: Map<string, number> },
  ): Finding[]
  keysForPackage(p: MatchPackage): string[]
  keysForDevice(d: MatchDevice, vendors: unknown): string[]
  targetFromInventory(identity: DeviceIdentity, inventory: Inventory): MatchTarget
}

export async function loadAdvisories(): Promise<AdvisoriesModules> {
  const [imp, cor, idx, tgt] = await Promise.all([
    loadHubModule<Pick<AdvisoriesModules, 'importAdvisories'>>('advisories/import.js'),
    loadHubModule<Pick<AdvisoriesModules, 'correlate'>>('advisories/correlate.js'),
    loadHubModule<Pick<AdvisoriesModules, 'keysForPackage' | 'keysForDevice'>>(
      'advisories/advisory-index.js',
    ),
    loadHubModule<Pick<AdvisoriesModules, 'targetFromInventory'>>('advisories/target.js'),
  ])
  return {
    importAdvisories: imp.importAdvisories,
    correlate: cor.correlate,
    keysForPackage: idx.keysForPackage,
    keysForDevice: idx.keysForDevice,
    targetFromInventory: tgt.targetFromInventory,
  }
}
