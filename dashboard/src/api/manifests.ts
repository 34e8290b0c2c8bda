/** Manifests and their rollouts (answers validated against the protocol's schemas). */
import { DeviceManifestList, ManifestDetail, ManifestList, ManifestTrustCheck } from '@vigil/protocol'
import { request } from './http.js'

const path = (id: string, action = '') => `/manifests/${encodeURIComponent(id)}${action}`

export interface RolloutPlanInput {
  steps?: number[]
  autoAdvance?: boolean
}

export const manifestsApi = {
  list: () => request('/manifests', ManifestList),
  /** The manifests that apply to one device (or were rolled out to it) with its state on each. */
  ofDevice: (deviceId: string) =>
    request(`/devices/${encodeURIComponent(deviceId)}/manifests`, DeviceManifestList),
  detail: (id: string) => request(path(id), ManifestDetail),
  /** Before approval: which targeted devices trust the vendor's current keys, and the fix for the others. */
  trustCheck: (id: string) => request(path(id, '/trust-check'), ManifestTrustCheck),
  approve: (id: string, plan: RolloutPlanInput) =>
    request(path(id, '/rollout'), ManifestDetail, { method: 'POST', body: plan }),
  advance: (id: string) => request(path(id, '/rollout/advance'), ManifestDetail, { method: 'POST' }),
  pause: (id: string) => request(path(id, '/rollout/pause'), ManifestDetail, { method: 'POST' }),
  resume: (id: string) => request(path(id, '/rollout/resume'), ManifestDetail, { method: 'POST' }),
  cancel: (id: string, reason?: string) =>
    request(path(id, '/rollout/cancel'), ManifestDetail, { method: 'POST', body: reason ? { reason } : {} }),
  /** Offers the manifest again to a device whose install failed. */
  retry: (id: string, deviceId: string) =>
    request(path(id, `/targets/${encodeURIComponent(deviceId)}/retry`), ManifestDetail, { method: 'POST' }),
}
