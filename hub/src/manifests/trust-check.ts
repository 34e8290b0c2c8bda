/**
 * `GET /api/v1/manifests/{id}/trust-check`: before approving a rollout, how many targeted devices trust
 * the vendor's current keys (from what each reported in its birth and its last apply-trust answer),
 * and for the others why not and what to do.
 */
import { ApiError, ManifestTrustCheck, type TrustCheckDevice, Type, trustFix } from '@vigil/protocol'
import type { FastifyInstance } from 'fastify'
import { HubError } from '../errors.js'
import type { DeviceRecord } from '../store/types.js'
import type { ManifestService } from './service.js'
import type { TrustDistribution } from './trust/distribution.js'
import { delegateCommand } from './trust/routes.js'
import type { TrustService } from './trust/service.js'
import type { VendorRecord } from './vendors/db.js'

export function deviceTrust(
  device: DeviceRecord,
  vendor: VendorRecord,
  trust: TrustService,
  distribution: TrustDistribution,
): Omit<TrustCheckDevice, 'deviceId' | 'name'> {
  const current = vendor.keys.filter((k) => !k.revoked).map((k) => k.keyid)
  const report = distribution.reports.get(device.id)
  const held = device.trust
  const no = (code: string, reason: string) => ({
    trusts: false,
    code,
    reason,
    fix: trustFix(code, vendor.name),
  })
  // Keys provisioned in the device's configuration (no delegation): enough of the current ones?
  const provisioned = held?.provisioned?.[vendor.name]
  if (provisioned && current.filter((k) => provisioned.includes(k)).length >= vendor.threshold)
    return { trusts: true }
  const delegation = trust.delegation(vendor.name)
  const upToDate = trust.isCurrent(vendor)
  const version = Math.max(held?.delegations?.[vendor.name] ?? 0, report?.delegations[vendor.name] ?? 0)
  if (delegation && upToDate && version >= delegation.version) return { trusts: true }
  if (!delegation || !upToDate)
    return no('DELEGATION_PENDING', `the vendor's current keys are not delegated by the operator root yet`)
  const refused = report?.refused.find((r) => r.kind === 'root' || r.vendor === vendor.name)
  if (refused)
    return {
      trusts: false,
      code: refused.code,
      reason: refused.reason,
      fix: trustFix(refused.code, vendor.name),
    }
  if (!held && !report) return no('TRUST_UNKNOWN', 'the device has not said which keys it trusts')
  if (!(held?.root ?? report?.root))
    return no('ROOT_MISSING', 'the device holds no operator root (enrolled before the root existed)')
  return no(
    'DELEGATION_NOT_DELIVERED',
    `the device holds delegation v${version || 0}, the current one is v${delegation.version}`,
  )
}

export function trustCheckRoute(
  manifests: ManifestService,
  trust: TrustService,
  distribution: TrustDistribution,
  vendors: () => readonly VendorRecord[],
) {
  return async (app: FastifyInstance) => {
    app.get(
      '/manifests/:id/trust-check',
      {
        onRequest: app.requireRole('admin', 'operator'),
        schema: {
          params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{1,64}$' }) }),
          response: { 200: ManifestTrustCheck, 401: ApiError, 403: ApiError, 404: ApiError },
        },
      },
      async (req) => {
        const { id } = req.params as { id: string }
        const m = manifests.get(id)
        if (!m) throw new HubError('VIGIL_NOT_FOUND', `no manifest ${id}`)
        const vendor = vendors().find((v) => v.name === m.payload.vendor)
        if (!vendor) throw new HubError('VIGIL_NOT_FOUND', `no vendor ${m.payload.vendor}`)
        const targets = manifests.coverage(m).devices.map((d) => ({
          deviceId: d.id,
          name: d.name,
          ...deviceTrust(d, vendor, trust, distribution),
        }))
        const delegated = trust.isCurrent(vendor)
        return {
          vendor: vendor.name,
          delegated,
          ...(delegated ? {} : { command: delegateCommand(vendor.name) }),
          devices: targets.length,
          trusting: targets.filter((t) => t.trusts).length,
          targets,
        }
      },
    )
  }
}
