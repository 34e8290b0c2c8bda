/** The register as a filtered list, and as CSV (RFC 4180; cells that a spreadsheet would run as a formula are prefixed). */
import type { FindingQuery, FindingView } from '@vigil/protocol'
import { type CsvColumn, toCsv } from '../../http/csv.js'

const split = (v: string | undefined) => (v === undefined || v === '' ? undefined : new Set(v.split(',')))

export function filterFindings(all: FindingView[], q: FindingQuery): FindingView[] {
  const states = split(q.state)
  const severities = split(q.severity)
  const decisions = split(q.decision)
  return all.filter(
    (f) =>
      (states === undefined || states.has(f.state)) &&
      (severities === undefined || severities.has(f.severity ?? 'unknown')) &&
      (q.kev === undefined || f.kev === q.kev) &&
      (q.overdue === undefined || f.overdue === q.overdue) &&
      (q.device === undefined || f.deviceId === q.device) &&
      (q.advisory === undefined || f.advisory === q.advisory || f.cve === q.advisory) &&
      (q.owner === undefined || f.owner === q.owner) &&
      (decisions === undefined || decisions.has(f.ssvc?.outcome ?? 'none')),
  )
}

const OUTCOME: Record<string, number> = { immediate: 0, 'out-of-cycle': 1, scheduled: 2, defer: 3 }

const HUMAN: Record<string, number> = { 'very high': 0, high: 1, medium: 2, low: 3 }

/**
 * SSVC outcome first (immediate … defer, undecided last), then Human Impact (patient safety × mission:
 * within one outcome the device that can hurt someone comes first), then the usual order.
 */
export function sortByDecision(list: FindingView[]): FindingView[] {
  return list.sort(
    (a, b) =>
      (OUTCOME[a.ssvc?.outcome ?? ''] ?? 4) - (OUTCOME[b.ssvc?.outcome ?? ''] ?? 4) ||
      (HUMAN[a.ssvc?.humanImpact.value ?? ''] ?? 4) - (HUMAN[b.ssvc?.humanImpact.value ?? ''] ?? 4) ||
      Number(b.kev) - Number(a.kev) ||
      (RANK[a.severity ?? ''] ?? 5) - (RANK[b.severity ?? ''] ?? 5) ||
      a.dueDate.localeCompare(b.dueDate) ||
      a.id.localeCompare(b.id),
  )
}

const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, none: 4 }

/** Most urgent first: KEV, then severity, then due date. */
export function sortFindings(list: FindingView[]): FindingView[] {
  return list.sort(
    (a, b) =>
      Number(b.kev) - Number(a.kev) ||
      (RANK[a.severity ?? ''] ?? 5) - (RANK[b.severity ?? ''] ?? 5) ||
      a.dueDate.localeCompare(b.dueDate) ||
      a.id.localeCompare(b.id),
  )
}

const COLUMNS: CsvColumn<FindingView>[] = [
  ['id', (f) => f.id],
  ['device_id', (f) => f.deviceId],
  ['device', (f) => f.deviceName],
  ['advisory', (f) => f.advisory],
  ['cve', (f) => f.cve],
  ['component', (f) => f.component.name],
  ['installed', (f) => f.component.version],
  ['affected', (f) => f.affected],
  ['fixed', (f) => f.fixed],
  ['severity', (f) => f.severity],
  ['kev', (f) => f.kev],
  ['ssvc_decision', (f) => f.ssvc?.outcome],
  ['clinical_function', (f) => f.clinicalFunction],
  ['epss', (f) => f.epss],
  ['confidence', (f) => f.confidence],
  ['state', (f) => f.state],
  ['owner', (f) => f.owner],
  ['first_seen', (f) => f.firstSeen],
  ['due', (f) => f.dueDate],
  ['overdue', (f) => f.overdue],
  ['resolved_at', (f) => f.resolvedAt],
  ['decided_by', (f) => f.decision?.by],
  ['why', (f) => f.decision?.why],
  ['justification', (f) => f.decision?.justification ?? f.decision?.reason ?? f.decision?.control],
  ['approver', (f) => f.decision?.approver],
  ['expires_at', (f) => f.decision?.expiresAt],
]

export function findingsCsv(list: FindingView[]): string {
  return toCsv(COLUMNS, list)
}
