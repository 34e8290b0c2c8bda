/** Posture scores, fleet KPIs and the maturity report (answers validated against the protocol's schemas). */
import { DevicePosture, FleetKpis, PostureList } from '@vigil/protocol'
import { request } from './http.js'

export const postureApi = {
  devices: () => request('/posture/devices', PostureList),
  device: (id: string) => request(`/posture/devices/${encodeURIComponent(id)}`, DevicePosture),
  kpis: () => request('/kpis', FleetKpis),
}

/** The printable maturity report, rendered by the hub (same origin; the session cookie authenticates). */
export const MATURITY_HTML_URL = '/api/v1/maturity.html'
