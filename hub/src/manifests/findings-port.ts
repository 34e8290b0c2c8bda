/**
 * How the manifests feature reads the risk register without reaching into it: the register feature
 * provides its findings for a hub (one line in its plugin), the manifests feature asks. Without a
 * register, a manifest still reports its devices; its findings count stays 0.
 */
import type { FindingView } from '@vigil/protocol'

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
