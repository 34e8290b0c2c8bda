/**
 * How the manifests feature reads the risk register without reaching into it: the register feature
 * provides its findings for a hub (one line in its plugin), the manifests feature asks. Without a
 * register, a manifest still reports its devices; its findings count stays 0.
 */
import type { FindingView, PatchRef } from '@vigil/protocol'

export interface FindingsSource {
  /** Every finding of one device (any state). */
  views(deviceId?: string): FindingView[]
}

const sources = new WeakMap<object, FindingsSource>()

export function provideFindings(hub: object, source: FindingsSource): void {
  sources.set(hub, source)
}

export function findingsOf(hub: object): FindingsSource | undefined {
  return sources.get(hub)
}

/** Findings still waiting for a fix (resolved and false positives are not). */
export function isOpen(f: FindingView): boolean {
  return f.state !== 'resolved' && f.state !== 'false_positive'
}

/** The other direction: the register asks which manifest fixes a finding ("patch available"). */
export interface PatchSource {
  patchFor(deviceId: string, cve: string | null): PatchRef | null
}

const patchSources = new WeakMap<object, PatchSource>()

export function providePatches(hub: object, source: PatchSource): void {
  patchSources.set(hub, source)
}

/** The finding with its `patch` (null when closed or nothing fixes it; absent without the feature). */
export function withPatch(hub: object, f: FindingView): FindingView {
  const source = patchSources.get(hub)
  if (!source) return f
  return { ...f, patch: isOpen(f) ? source.patchFor(f.deviceId, f.cve) : null }
}
