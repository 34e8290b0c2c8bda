/** Manifests and their rollouts: routes of protocol's route map, answers checked against their schemas. */
import type { RouteBody } from '@vigil/protocol'
import { ifMatchHeaders } from '../lib/conflict.js'
import { call } from './http.js'

/** What approving a rollout takes (canary devices, percent steps, auto-advance): the route's own body type. */
export type RolloutPlanInput = RouteBody<'POST /manifests/:id/rollout'>

export const manifestsApi = {
  list: () => call('GET /manifests'),
  /** The manifests that apply to one device (or were rolled out to it) with its state on each. */
  ofDevice: (deviceId: string) => call('GET /devices/:id/manifests', { params: { id: deviceId } }),
  detail: (id: string) => call('GET /manifests/:id', { params: { id } }),
  /** Before approval: which targeted devices trust the vendor's current keys, and the fix for the others. */
  trustCheck: (id: string) => call('GET /manifests/:id/trust-check', { params: { id } }),
  /**
   * Rollout actions name the manifest's `recordVersion` the operator saw: a manifest changed meanwhile
   * is refused (409 VIGIL_CONFLICT with the current detail).
   */
  approve: (id: string, plan: RolloutPlanInput, version?: number) =>
    call('POST /manifests/:id/rollout', { params: { id }, body: plan, ...ifMatchHeaders(version) }),
  advance: (id: string, version?: number) =>
    call('POST /manifests/:id/rollout/advance', { params: { id }, ...ifMatchHeaders(version) }),
  pause: (id: string, version?: number) =>
    call('POST /manifests/:id/rollout/pause', { params: { id }, ...ifMatchHeaders(version) }),
  resume: (id: string, version?: number) =>
    call('POST /manifests/:id/rollout/resume', { params: { id }, ...ifMatchHeaders(version) }),
  cancel: (id: string, reason?: string, version?: number) =>
    call('POST /manifests/:id/rollout/cancel', {
      params: { id },
      body: reason ? { reason } : {},
      ...ifMatchHeaders(version),
    }),
  /** Offers the manifest again to a device whose install failed. */
  retry: (id: string, deviceId: string, version?: number) =>
    call('POST /manifests/:id/targets/:deviceId/retry', {
      params: { id, deviceId },
      ...ifMatchHeaders(version),
    }),
}
