/** What the manifest API answers: a manifest with its coverage and rollout progress. */
import type { FindingView } from '@vigil/protocol'
import type { DeviceRecord } from '../store/types.js'
import type { ManifestRecord, TargetRecord } from './db.js'

export function stateCounts(targets: readonly TargetRecord[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const t of targets) counts[t.state] = (counts[t.state] ?? 0) + 1
  return counts
}

export function manifestSummary(
  m: ManifestRecord,
  coverage: { devices: readonly DeviceRecord[]; findings: readonly FindingView[] },
  targets: readonly TargetRecord[],
) {
  const p = m.payload
  return {
    id: m.id,
    digest: m.digest,
    vendorId: m.vendorId,
    vendor: p.vendor,
    product: p.product,
    version: p.version,
    releasedAt: p.releasedAt,
    expiresAt: p.expiresAt,
    appliesTo: p.appliesTo,
    fixes: p.fixes,
    artifacts: p.artifacts,
    ...(p.description !== undefined ? { description: p.description } : {}),
    keyids: m.keyids,
    acceptedAt: m.acceptedAt,
    acceptedBy: m.acceptedBy,
    artifactCheck: m.artifactCheck ?? 'unverified',
    coverage: { devices: coverage.devices.length, findings: coverage.findings.length },
    rollout: m.rollout
      ? {
          status: m.rollout.status,
          approvedBy: m.rollout.approvedBy,
          approvedAt: m.rollout.approvedAt,
          wave: m.rollout.wave,
          autoAdvance: m.rollout.autoAdvance,
          waves: m.rollout.waves,
          counts: stateCounts(targets),
        }
      : null,
  }
}

export function manifestDetail(
  m: ManifestRecord,
  coverage: { devices: readonly DeviceRecord[]; findings: readonly FindingView[] },
  targets: readonly TargetRecord[],
) {
  const byDevice = new Map(targets.map((t) => [t.deviceId, t]))
  return {
    ...manifestSummary(m, coverage, targets),
    envelope: m.envelope,
    devices: coverage.devices.map((d) => ({
      id: d.id,
      name: d.name,
      online: d.online,
      firmwareVersion: d.identity?.firmwareVersion ?? null,
      state: byDevice.get(d.id)?.state ?? null,
    })),
    findings: coverage.findings.map((f) => ({
      id: f.id,
      deviceId: f.deviceId,
      cve: f.cve,
      advisory: f.advisory,
      state: f.state,
      severity: f.severity,
    })),
    targets: targets.map((t) => ({
      deviceId: t.deviceId,
      wave: t.wave,
      state: t.state,
      ...(t.reason !== undefined ? { reason: t.reason } : {}),
      ...(t.code !== undefined ? { code: t.code } : {}),
      updatedAt: t.updatedAt,
      deliveries: t.deliveries,
    })),
  }
}
