/**
 * Governance over HTTP (`/api/v1/governance…`, `/api/v1/kpis/history`, `/api/v1/maturity`): device
 * groups and their owners, the training log, the daily KPI snapshots and the maturity report built
 * from them.
 */
import { type Static, Type } from '../schema.js'
import { Role } from './common.js'
import { DeviceGroupInput, FleetKpis, TrainingInput } from './posture.js'
import { SsvcSla } from './ssvc.js'

/** A stored device group (`GET|POST /api/v1/governance/groups`). */
export const DeviceGroup = Type.Object(
  {
    ...DeviceGroupInput.properties,
    id: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
  },
  { $id: 'DeviceGroup' },
)
export type DeviceGroup = Static<typeof DeviceGroup>

export const DeviceGroupList = Type.Object({ groups: Type.Array(DeviceGroup) }, { $id: 'DeviceGroupList' })
export type DeviceGroupList = Static<typeof DeviceGroupList>

/** A stored training record (`GET|POST /api/v1/governance/training`). */
export const TrainingRecord = Type.Object(
  {
    ...TrainingInput.properties,
    id: Type.String(),
    recordedBy: Type.String(),
    recordedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'TrainingRecord' },
)
export type TrainingRecord = Static<typeof TrainingRecord>

export const TrainingList = Type.Object({ training: Type.Array(TrainingRecord) }, { $id: 'TrainingList' })
export type TrainingList = Static<typeof TrainingList>

/** One day's fleet KPIs (`GET /api/v1/kpis/history`, newest first). */
export const KpiSnapshot = Type.Object(
  { ...FleetKpis.properties, date: Type.String({ description: 'YYYY-MM-DD' }) },
  { $id: 'KpiSnapshot' },
)
export type KpiSnapshot = Static<typeof KpiSnapshot>

export const KpiHistory = Type.Object({ snapshots: Type.Array(KpiSnapshot) }, { $id: 'KpiHistory' })
export type KpiHistory = Static<typeof KpiHistory>

const Pct = Type.Union([Type.Number(), Type.Null()])
const Counts = Type.Record(Type.String(), Type.Integer())

/** `GET /api/v1/maturity`: the governance maturity report (also printable at `/api/v1/maturity.html`). */
export const MaturityReport = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time' }),
    governance: Type.Object({
      deviceGroups: Type.Array(
        Type.Object({ name: Type.String(), owner: Type.String(), devices: Type.Integer() }),
      ),
      devicesWithoutGroupOwner: Type.Integer(),
      findingsOwnedPct: Pct,
      roleAssignments: Type.Record(Type.String(), Type.Array(Type.String())),
      training: Type.Object({
        users: Type.Array(
          Type.Object({
            username: Type.String(),
            role: Role,
            courses: Type.Array(
              Type.Object({
                course: Type.String(),
                completedAt: Type.String(),
                expiresAt: Type.Union([Type.String(), Type.Null()]),
                current: Type.Boolean(),
              }),
            ),
            current: Type.Boolean(),
          }),
        ),
        usersTotal: Type.Integer(),
        usersWithCurrentTraining: Type.Integer(),
        currentPct: Pct,
      }),
    }),
    riskRegister: Type.Object({
      total: Type.Integer(),
      byState: Counts,
      acceptedRisks: Type.Array(
        Type.Object({
          id: Type.String(),
          device: Type.String(),
          advisory: Type.String(),
          cve: Type.Union([Type.String(), Type.Null()]),
          component: Type.String(),
          approver: Type.Union([Type.String(), Type.Null()]),
          justification: Type.Union([Type.String(), Type.Null()]),
          expiresAt: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
      acceptancesExpiringIn30Days: Type.Integer(),
      ownedPct: Pct,
    }),
    hardening: Type.Object({
      devicesWithReport: Type.Integer(),
      compliantDevices: Type.Integer(),
      baselineCompliancePct: Pct,
      failingChecks: Type.Integer(),
    }),
    vulnerabilityManagement: Type.Object({
      advisories: Type.Integer(),
      kevCatalogVersion: Type.Union([Type.String(), Type.Null()]),
      devices: Type.Integer(),
      devicesWithInventory: Type.Integer(),
      openBySeverity: Counts,
      openByDecision: Counts,
      openByClinicalFunction: Counts,
      kevOpen: Type.Integer(),
      meanPostureScore: Pct,
      grades: Counts,
    }),
    patchingTimeliness: Type.Object({
      slaDays: Type.Record(Type.String(), Type.Integer(), {
        description: 'days to remediate per severity, and kevDays',
      }),
      ssvcSla: SsvcSla,
      meanTimeToRemediateDays: Pct,
      patchLatencyDays: Type.Object({ p50: Pct, p90: Pct }),
      remediatedWithinSlaPct: Pct,
      overdue: Type.Integer(),
    }),
  },
  { $id: 'MaturityReport' },
)
export type MaturityReport = Static<typeof MaturityReport>
