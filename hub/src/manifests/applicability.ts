/**
 * Which devices a manifest applies to (vendor and model match after normalisation, current firmware
 * inside `appliesTo.versions`) and which of their open findings it fixes (its `fixes` CVEs).
 */

import type { FindingView } from '@vigil/protocol'
import { type ManifestPayload, parseRange, rangeContains } from '@vigil/protocol'
import { createVendorMatcher } from '../risk/advisories/index.js'
import { productKey } from '../risk/advisories/vendor.js'
import { type FindingsSource, isOpen } from '../risk/findings-port.js'
import type { DeviceRecord } from '../store/types.js'
import { schemeOf } from './accept.js'

const vendors = createVendorMatcher()

export type Applicability =
  | { applies: true; firmware: string }
  | { applies: false; why: 'vendor' | 'model' | 'firmware' | 'unknown-firmware' }

export function applicability(payload: ManifestPayload, device: DeviceRecord): Applicability {
  const id = device.identity
  if (!id?.vendor || !vendors.same(payload.vendor, id.vendor)) return { applies: false, why: 'vendor' }
  const model = id.model ? productKey(id.model) : ''
  if (!payload.appliesTo.models.some((m) => productKey(m) === model)) return { applies: false, why: 'model' }
  if (!id.firmwareVersion) return { applies: false, why: 'unknown-firmware' }
  const scheme = schemeOf(payload.versionScheme) ?? 'generic'
  const range = parseRange(payload.appliesTo.versions, scheme)
  if (!range.ok) return { applies: false, why: 'firmware' }
  const inside = rangeContains(range.range, id.firmwareVersion)
  if (inside === undefined) return { applies: false, why: 'unknown-firmware' }
  return inside ? { applies: true, firmware: id.firmwareVersion } : { applies: false, why: 'firmware' }
}

export function applicableDevices(payload: ManifestPayload, devices: Iterable<DeviceRecord>): DeviceRecord[] {
  const out: DeviceRecord[] = []
  for (const d of devices) if (!d.disabled && applicability(payload, d).applies) out.push(d)
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Open findings of these devices whose CVE the manifest fixes. */
export function fixedFindings(
  payload: ManifestPayload,
  deviceIds: Iterable<string>,
  source: FindingsSource | undefined,
): FindingView[] {
  if (!source || payload.fixes.length === 0) return []
  const fixes = new Set(payload.fixes)
  const out: FindingView[] = []
  for (const id of deviceIds)
    for (const f of source.views(id)) if (f.cve !== null && fixes.has(f.cve) && isOpen(f)) out.push(f)
  return out
}
