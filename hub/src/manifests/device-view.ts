/** The manifests of one device (`GET /api/v1/devices/:id/manifests`): what applies and where its rollout stands. */
import type { DeviceManifest } from '@vigil/protocol'
import type { DeviceRecord } from '../store/types.js'
import { applicability } from './applicability.js'
import { type ManifestDb, targetId } from './db.js'

export function deviceManifests(db: ManifestDb, device: DeviceRecord, now: number): DeviceManifest[] {
  const out: DeviceManifest[] = []
  for (const m of db.manifests.values()) {
    const t = db.targets.get(targetId(m.id, device.id))
    const applies = !device.disabled && applicability(m.payload, device).applies
    if (!applies && !t) continue
    const p = m.payload
    out.push({
      manifestId: m.id,
      vendor: p.vendor,
      product: p.product,
      version: p.version,
      fixes: p.fixes,
      expiresAt: p.expiresAt,
      expired: Date.parse(p.expiresAt) <= now,
      applies,
      rollout: m.rollout?.status ?? null,
      target: t
        ? {
            state: t.state,
            wave: t.wave,
            ...(t.code !== undefined ? { code: t.code } : {}),
            ...(t.reason !== undefined ? { reason: t.reason } : {}),
            updatedAt: t.updatedAt,
            deliveries: t.deliveries,
          }
        : null,
    })
  }
  return out.sort((a, b) =>
    a.product !== b.product ? (a.product < b.product ? -1 : 1) : a.version < b.version ? 1 : -1,
  )
}
