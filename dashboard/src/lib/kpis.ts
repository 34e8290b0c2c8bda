/** Fleet KPIs computed from the live device rows (only what the hub reports today). */
import type { DeviceSummary } from '@vigil/protocol'
import { telemetryIsStale } from './deviceQuery.js'

export interface FleetKpis {
  total: number
  online: number
  offline: number
  disabled: number
  /** Devices with at least one failing hardening check. */
  failing: number
  /** Sum of failing checks across the fleet. */
  failingChecks: number
  /** Devices whose hardening was reported: the base of the compliance %. */
  assessed: number
  /** Online devices whose latest telemetry is too old to be current. */
  staleTelemetry: number
}

export function fleetKpis(devices: Iterable<DeviceSummary>, now: number, staleAfterMs: number): FleetKpis {
  const k: FleetKpis = {
    total: 0,
    online: 0,
    offline: 0,
    disabled: 0,
    failing: 0,
    failingChecks: 0,
    assessed: 0,
    staleTelemetry: 0,
  }
  for (const d of devices) {
    k.total++
    if (d.online) k.online++
    else k.offline++
    if (d.disabled) k.disabled++
    if (d.failingChecks !== undefined) {
      k.assessed++
      if (d.failingChecks > 0) k.failing++
      k.failingChecks += d.failingChecks
    }
    if (d.online && telemetryIsStale(d, now, staleAfterMs)) k.staleTelemetry++
  }
  return k
}

/**
 * What the compliance % counts, in words: a device complies when it fails no check at all, which reads
 * very differently from a share of checks ("0 %" beside "13 of 23 checks pass" misled).
 */
export function complianceHint(k: FleetKpis): string {
  if (k.assessed === 0) return 'no device has reported its hardening yet'
  return `devices failing no check: ${k.assessed - k.failing} of ${k.assessed} assessed`
}

/** Share of assessed devices with no failing check, as a whole percentage; null when none assessed. */
export function compliancePct(k: FleetKpis): number | null {
  return k.assessed === 0 ? null : Math.round(((k.assessed - k.failing) / k.assessed) * 100)
}
