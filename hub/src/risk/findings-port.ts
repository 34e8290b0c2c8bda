/**
 * The seam between the risk register and the manifests feature, both ways, as declared fastify
 * decorations (no module state): the risk-register feature offers `app.findings` (every finding of a
 * device), the manifests feature offers `app.patches` (which manifest fixes a finding). Each side reads
 * the other's decoration when it needs it, so either feature works without the other: a manifest still
 * reports its devices (its findings count stays 0), a finding has no `patch`.
 */
import type { FindingView, PatchRef } from '@vigil/protocol'

export interface FindingsSource {
  /** Every finding of one device (any state). */
  views(deviceId?: string): FindingView[]
}

/** Findings still waiting for a fix (resolved and false positives are not). */
export function isOpen(f: FindingView): boolean {
  return f.state !== 'resolved' && f.state !== 'false_positive'
}

/** The other direction: the register asks which manifest fixes a finding ("patch available"). */
export interface PatchSource {
  patchFor(deviceId: string, cve: string | null): PatchRef | null
}

/** The finding with its `patch` (null when closed or nothing fixes it; absent without the feature). */
export function withPatch(source: PatchSource | undefined, f: FindingView): FindingView {
  if (!source) return f
  return { ...f, patch: isOpen(f) ? source.patchFor(f.deviceId, f.cve) : null }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Offered by the risk-register feature (`vigil-risk-register`); undefined without it. */
    findings?: FindingsSource
    /** Offered by the manifests feature (`vigil-manifests`); undefined without it. */
    patches?: PatchSource
  }
}
