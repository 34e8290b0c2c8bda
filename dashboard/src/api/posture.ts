/** Posture scores, fleet KPIs and the maturity report: routes of protocol's route map. */
import { API_PREFIX } from '@vigil/protocol'
import { call } from './http.js'

export const postureApi = {
  devices: () => call('GET /posture/devices'),
  device: (id: string) => call('GET /posture/devices/:id', { params: { id } }),
  kpis: () => call('GET /kpis'),
}

/** The printable maturity report, rendered by the hub (same origin; the session cookie authenticates). */
export const MATURITY_HTML_URL = `${API_PREFIX}/maturity.html`
