/**
 * The maturity report, organised like the Joint Security Plan: governance, risk register, hardening,
 * vulnerability management, patching timeliness. Everything in it is counted from data the hub holds
 * (owners, role assignments, training log, decisions, inventories); the HTML is a printable rendering of
 * the same JSON, every value escaped.
 */
import {
  DEFAULT_SSVC_SLA,
  type DevicePosture,
  type FindingView,
  type FleetKpis,
  type SlaPolicy,
} from '@vigil/protocol'
import type { DeviceRecord, UserRecord } from '../../store/types.js'
import type { GroupRecord, TrainingRecord } from './governance.js'

export interface MaturityInput {
  now: Date
  devices: DeviceRecord[]
  users: UserRecord[]
  groups: GroupRecord[]
  training: TrainingRecord[]
  findings: FindingView[]
  postures: DevicePosture[]
  kpis: FleetKpis
  sla: SlaPolicy
  advisories: number
  kevCatalogVersion: string | null
}

const DAY = 86_400_000

export function maturityReport(i: MaturityInput) {
  const today = i.now.toISOString().slice(0, 10)
  const grouped = new Set(i.groups.flatMap((g) => g.deviceIds))
  const roles: Record<string, string[]> = { admin: [], operator: [], technician: [], vendor: [] }
  for (const u of i.users) roles[u.role] = [...(roles[u.role] ?? []), u.username]
  const people = i.users.filter((u) => u.role !== 'vendor')
  const trainingUsers = people.map((u) => {
    const courses = i.training
      .filter((t) => t.username === u.username)
      .map((t) => ({
        course: t.course,
        completedAt: t.completedAt,
        expiresAt: t.expiresAt ?? null,
        current: t.expiresAt === undefined || t.expiresAt >= today,
      }))
    return { username: u.username, role: u.role, courses, current: courses.some((c) => c.current) }
  })
  const trained = trainingUsers.filter((u) => u.current).length
  const byState: Record<string, number> = {}
  for (const f of i.findings) byState[f.state] = (byState[f.state] ?? 0) + 1
  const accepted = i.findings.filter((f) => f.state === 'accepted')
  const grades: Record<string, number> = { A: 0, B: 0, C: 0, D: 0, F: 0, unknown: 0 }
  for (const p of i.postures) grades[p.grade] = (grades[p.grade] ?? 0) + 1
  const withReport = i.devices.filter((d) => d.hardeningHash !== undefined)
  return {
    generatedAt: i.now.toISOString(),
    governance: {
      deviceGroups: i.groups.map((g) => ({ name: g.name, owner: g.owner, devices: g.deviceIds.length })),
      devicesWithoutGroupOwner: i.devices.filter((d) => !grouped.has(d.id)).length,
      findingsOwnedPct: i.kpis.ownedPct,
      roleAssignments: roles,
      training: {
        users: trainingUsers,
        usersTotal: people.length,
        usersWithCurrentTraining: trained,
        currentPct: people.length === 0 ? null : Math.round((trained / people.length) * 1000) / 10,
      },
    },
    riskRegister: {
      total: i.findings.length,
      byState,
      acceptedRisks: accepted.map((f) => ({
        id: f.id,
        device: f.deviceName,
        advisory: f.advisory,
        cve: f.cve,
        component: `${f.component.name} ${f.component.version}`,
        approver: f.decision?.approver ?? null,
        justification: f.decision?.justification ?? null,
        expiresAt: f.decision?.expiresAt ?? null,
      })),
      acceptancesExpiringIn30Days: accepted.filter(
        (f) => Date.parse(f.decision?.expiresAt ?? '') <= i.now.getTime() + 30 * DAY,
      ).length,
      ownedPct: i.kpis.ownedPct,
    },
    hardening: {
      devicesWithReport: withReport.length,
      compliantDevices: withReport.filter((d) => (d.failingChecks ?? 0) === 0).length,
      baselineCompliancePct: i.kpis.baselineCompliancePct,
      failingChecks: withReport.reduce((n, d) => n + (d.failingChecks ?? 0), 0),
    },
    vulnerabilityManagement: {
      advisories: i.advisories,
      kevCatalogVersion: i.kevCatalogVersion,
      devices: i.devices.length,
      devicesWithInventory: i.devices.filter((d) => d.inventoryHash !== undefined).length,
      openBySeverity: i.kpis.openBySeverity,
      openByDecision: i.kpis.openByDecision ?? {},
      openByClinicalFunction: i.kpis.openByClinicalFunction ?? {},
      kevOpen: i.kpis.kevOpen,
      meanPostureScore: i.kpis.meanPostureScore,
      grades,
    },
    patchingTimeliness: {
      slaDays: (({ ssvc: _ssvc, ...days }) => days)(i.sla),
      ssvcSla: i.sla.ssvc ?? DEFAULT_SSVC_SLA,
      meanTimeToRemediateDays: i.kpis.meanTimeToRemediateDays,
      patchLatencyDays: i.kpis.patchLatencyDays,
      remediatedWithinSlaPct: i.kpis.remediatedWithinSlaPct,
      overdue: i.kpis.overdue,
    },
  }
}

export type MaturityReport = ReturnType<typeof maturityReport>

export function escapeHtml(s: unknown): string {
  return String(s ?? '—').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )
}

function table(headers: string[], rows: unknown[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')
  return `<table><thead><tr>${head}</tr></thead><tbody>${body || `<tr><td colspan="${headers.length}">none</td></tr>`}</tbody></table>`
}

/** The report's measures in words (a printed report is read by people, not parsers). */
const LABELS: Record<string, string> = {
  total: 'findings',
  open: 'open',
  in_progress: 'in progress',
  mitigated: 'mitigated',
  accepted: 'accepted',
  false_positive: 'false positive',
  resolved: 'resolved',
  devicesWithReport: 'devices with a hardening report',
  compliantDevices: 'devices with no failing check',
  baselineCompliancePct: 'baseline compliance (% of devices with a report)',
  failingChecks: 'failing checks',
  advisories: 'advisories held',
  kevCatalogVersion: 'KEV catalog version',
  devices: 'devices',
  devicesWithInventory: 'devices with an inventory',
  openBySeverity: 'open findings by severity',
  openByDecision: 'open findings by SSVC decision',
  openByClinicalFunction: 'open findings by clinical function',
  kevOpen: 'open known-exploited (KEV) findings',
  meanPostureScore: 'mean posture score (graded devices)',
  grades: 'devices per posture grade',
  slaDays: 'remediation SLA (days) by severity',
  ssvcSla: 'remediation SLA by SSVC decision (defer: by severity)',
  meanTimeToRemediateDays: 'mean time to remediate (days)',
  patchLatencyDays: 'patch latency (days)',
  remediatedWithinSlaPct: 'remediated within SLA (%)',
  overdue: 'overdue findings',
}

const NESTED_LABELS: Record<string, string> = {
  p50: 'median',
  p90: '90th percentile',
  immediateHours: 'immediate (hours)',
  outOfCycleDays: 'out-of-cycle (days)',
  scheduledDays: 'scheduled (days)',
}

/** A value as words: nested counts as "critical 10, high 3", nothing known as "— (no data yet)". */
function words(v: unknown): unknown {
  if (v === null || v === undefined) return '— (no data yet)'
  if (typeof v !== 'object') return v
  const parts = Object.entries(v as Record<string, unknown>).map(
    ([k, x]) => `${NESTED_LABELS[k] ?? LABELS[k] ?? k} ${x === null || x === undefined ? '—' : x}`,
  )
  return parts.length === 0 ? 'none' : parts.join(', ')
}

const kv = (o: Record<string, unknown>) =>
  table(
    ['measure', 'value'],
    Object.entries(o).map(([k, v]) => [LABELS[k] ?? k, words(v)]),
  )

export function maturityHtml(r: MaturityReport): string {
  const g = r.governance
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil maturity report ${escapeHtml(r.generatedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}
@media print{h2{page-break-before:auto}table{page-break-inside:avoid}}</style></head><body>
<h1>Security maturity report</h1><p>Generated ${escapeHtml(r.generatedAt)} by Vigil, organised like the Joint Security Plan.</p>
<h2>1. Governance</h2>
<h3>Device groups and owners</h3>${table(
    ['group', 'owner', 'devices'],
    g.deviceGroups.map((x) => [x.name, x.owner, x.devices]),
  )}
<p>Devices in no owned group: ${escapeHtml(g.devicesWithoutGroupOwner)}. Findings with a named owner: ${escapeHtml(g.findingsOwnedPct)} %.</p>
<h3>Role assignments</h3>${table(
    ['role', 'users'],
    Object.entries(g.roleAssignments).map(([k, v]) => [k, v.join(', ')]),
  )}
<h3>Security training</h3><p>${escapeHtml(g.training.usersWithCurrentTraining)} of ${escapeHtml(g.training.usersTotal)} users hold current training (${escapeHtml(g.training.currentPct)} %).</p>
${table(
  ['user', 'role', 'course', 'completed', 'expires', 'current'],
  g.training.users.flatMap((u) =>
    u.courses.length === 0
      ? [[u.username, u.role, 'no training recorded', '', '', 'no']]
      : u.courses.map((c) => [
          u.username,
          u.role,
          c.course,
          c.completedAt,
          c.expiresAt,
          c.current ? 'yes' : 'no',
        ]),
  ),
)}
<h2>2. Risk register</h2>${kv({ total: r.riskRegister.total, ...r.riskRegister.byState, 'acceptances expiring within 30 days': r.riskRegister.acceptancesExpiringIn30Days })}
<h3>Accepted risks</h3>${table(
    ['device', 'component', 'advisory', 'CVE', 'approver', 'justification', 'expires'],
    r.riskRegister.acceptedRisks.map((a) => [
      a.device,
      a.component,
      a.advisory,
      a.cve,
      a.approver,
      a.justification,
      a.expiresAt,
    ]),
  )}
<h2>3. Hardening</h2>${kv(r.hardening)}
<h2>4. Vulnerability management</h2>${kv(r.vulnerabilityManagement)}
<h2>5. Patching timeliness</h2>${kv(r.patchingTimeliness)}
</body></html>`
}
