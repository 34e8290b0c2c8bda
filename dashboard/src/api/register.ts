/** Risk register and advisories API calls: routes of protocol's route map, answers checked against their schemas. */
import { API_PREFIX, type BulkTransition, type FindingTransition, type SlaPolicy } from '@vigil/protocol'
import { call } from './http.js'

export interface FindingFilter {
  state?: string
  severity?: string
  kev?: boolean
  overdue?: boolean
  device?: string
  /** SSVC outcomes, comma-separated (issue 17). */
  decision?: string
  sort?: 'due' | 'decision'
}

export function findingParams(f: FindingFilter): URLSearchParams {
  const p = new URLSearchParams()
  if (f.state) p.set('state', f.state)
  if (f.severity) p.set('severity', f.severity)
  if (f.kev) p.set('kev', 'true')
  if (f.overdue) p.set('overdue', 'true')
  if (f.device) p.set('device', f.device)
  if (f.decision) p.set('decision', f.decision)
  if (f.sort) p.set('sort', f.sort)
  return p
}

export const registerApi = {
  findings: (f: FindingFilter, limit = 10_000) =>
    call('GET /findings', {
      query: {
        ...(f.state ? { state: f.state } : {}),
        ...(f.severity ? { severity: f.severity } : {}),
        ...(f.kev ? { kev: true } : {}),
        ...(f.overdue ? { overdue: true } : {}),
        ...(f.device ? { device: f.device } : {}),
        ...(f.decision ? { decision: f.decision } : {}),
        ...(f.sort ? { sort: f.sort } : {}),
        limit,
      },
    }),
  history: (id: string) => call('GET /findings/:id/history', { params: { id } }),
  /** With the version the operator saw: a finding changed meanwhile is refused (409, `current`). */
  transition: (id: string, t: FindingTransition, version?: number) =>
    call('POST /findings/:id/transition', {
      params: { id },
      body: t,
      ...(version !== undefined ? { headers: { 'if-match': `"${version}"` } } : {}),
    }),
  bulk: (body: BulkTransition) => call('POST /findings/bulk', { body }),
  sla: () => call('GET /register/sla'),
  setSla: (policy: SlaPolicy) => call('PUT /register/sla', { body: policy }),
  advisories: (q: { q?: string; kev?: boolean }, limit = 5000) =>
    call('GET /advisories', {
      query: { limit, ...(q.q ? { q: q.q } : {}), ...(q.kev ? { kev: true } : {}) },
    }),
  advisory: (id: string) => call('GET /advisories/:id', { params: { id } }),
}

/** Same-origin export link (the session cookie authenticates the download). */
export function exportUrl(f: FindingFilter, format: 'csv' | 'json'): string {
  const p = findingParams(f)
  p.set('format', format)
  return `${API_PREFIX}/findings/export?${p}`
}
