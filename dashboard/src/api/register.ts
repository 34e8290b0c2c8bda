/** Risk register and advisories API calls (answers validated against the protocol's schemas). */
import {
  AdvisoryDetail,
  AdvisoryList,
  BulkResult,
  type BulkTransition,
  FindingHistoryEntry,
  FindingList,
  type FindingTransition,
  FindingView,
  SlaPolicy,
  type SlaPolicy as SlaPolicyT,
  Type,
} from '@vigil/protocol'
import { request } from './http.js'

const History = Type.Object({ history: Type.Array(FindingHistoryEntry) })

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
  findings(f: FindingFilter, limit = 10_000) {
    const p = findingParams(f)
    p.set('limit', String(limit))
    return request(`/findings?${p}`, FindingList)
  },
  history: (id: string) => request(`/findings/${encodeURIComponent(id)}/history`, History),
  /** With the version the operator saw: a finding changed meanwhile is refused (409, `current`). */
  transition: (id: string, t: FindingTransition, version?: number) =>
    request(`/findings/${encodeURIComponent(id)}/transition`, FindingView, {
      method: 'POST',
      body: t,
      ...(version !== undefined ? { headers: { 'if-match': `"${version}"` } } : {}),
    }),
  bulk: (body: BulkTransition) => request('/findings/bulk', BulkResult, { method: 'POST', body }),
  sla: () => request('/register/sla', SlaPolicy),
  setSla: (policy: SlaPolicyT) => request('/register/sla', SlaPolicy, { method: 'PUT', body: policy }),
  advisories(q: { q?: string; kev?: boolean }, limit = 5000) {
    const p = new URLSearchParams({ limit: String(limit) })
    if (q.q) p.set('q', q.q)
    if (q.kev) p.set('kev', 'true')
    return request(`/advisories?${p}`, AdvisoryList)
  },
  advisory: (id: string) => request(`/advisories/${encodeURIComponent(id)}`, AdvisoryDetail),
}

/** Same-origin export link (the session cookie authenticates the download). */
export function exportUrl(f: FindingFilter, format: 'csv' | 'json'): string {
  const p = findingParams(f)
  p.set('format', format)
  return `/api/v1/findings/export?${p}`
}
