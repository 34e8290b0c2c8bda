/**
 * Posture, KPIs, governance and the maturity report:
 *   GET  /api/v1/posture/devices          {devices: DevicePosture[]} (worst first)
 *   GET  /api/v1/posture/devices/:id      DevicePosture
 *   GET  /api/v1/kpis                     FleetKpis (also taken as today's snapshot if none yet)
 *   GET  /api/v1/kpis/history             {snapshots: (FleetKpis & {date})[]} newest first (?limit)
 *   GET|POST /api/v1/governance/groups    DeviceGroupInput → 201 group;  DELETE /api/v1/governance/groups/:id
 *   GET|POST /api/v1/governance/training  TrainingInput → 201 record;  DELETE /api/v1/governance/training/:id
 *   GET  /api/v1/maturity                 the report as JSON;  GET /api/v1/maturity.html  printable HTML
 * Reads: admin, operator, technician. Writes: admin, operator (training log: admin).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ApiError,
  DeviceGroup,
  DeviceGroupInput,
  DeviceGroupList,
  DevicePosture,
  type FindingView,
  FleetKpis,
  KpiHistory,
  KpiHistoryQuery,
  MaturityReport,
  NoContent,
  PostureList,
  type SlaPolicy,
  TrainingInput,
  TrainingList,
  TrainingRecord,
  Type,
} from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { GovernanceDb } from './governance.js'
import { fleetKpis } from './kpis.js'
import { maturityHtml, maturityReport } from './maturity.js'
import { devicePosture } from './score.js'

/** What posture reads of the risk register (the register feature hands its `RiskRegister`). */
export interface PostureFindings {
  /** Brings overdue and expired states up to date before reading. */
  sweep(): void
  now(): Date
  views(): FindingView[]
  readonly sla: SlaPolicy
}

export interface PostureDeps {
  register: PostureFindings
  engine: CorrelationEngine
  governance: GovernanceDb
}

const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) })

export const postureRoutes =
  (d: PostureDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const hub = app.hub
    const read = app.requireRole('admin', 'operator', 'technician')
    const act = app.requireRole('admin', 'operator')
    const admin = app.requireRole('admin')
    const who = (u: { username: string } | null) => u?.username ?? 'unknown'

    const compute = () => {
      d.register.sweep()
      const now = d.register.now()
      const findings = d.register.views()
      const byDevice = new Map<string, typeof findings>()
      for (const f of findings) byDevice.set(f.deviceId, [...(byDevice.get(f.deviceId) ?? []), f])
      const devices = hub.registry.all()
      const postures = devices.map((dev) => devicePosture(dev, byDevice.get(dev.id) ?? [], now))
      const kpis = fleetKpis(devices, findings, postures, now)
      // One hub of a cluster takes the daily snapshot (jobs/: posture.snapshot).
      if (hub.jobs.holds('posture.snapshot')) d.governance.snapshot(kpis)
      return { now, findings, devices, postures, kpis }
    }

    // The daily KPI snapshot: taken at start, then checked hourly (and whenever KPIs are computed).
    const snapshot = () => {
      try {
        compute()
      } catch (err) {
        app.log.error({ err }, 'KPI snapshot failed')
      }
    }
    app.addHook('onReady', async () => snapshot())
    const timer = setInterval(snapshot, 3_600_000)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))

    app.get(
      '/posture/devices',
      { onRequest: read, schema: { response: { 200: PostureList } } },
      async () => ({
        devices: compute().postures.sort(
          (a, b) => a.score - b.score || a.deviceName.localeCompare(b.deviceName),
        ),
      }),
    )

    app.get(
      '/posture/devices/:id',
      { onRequest: read, schema: { params: IdParams, response: { 200: DevicePosture } } },
      async (req) => {
        const p = compute().postures.find((x) => x.deviceId === req.params.id)
        if (!p) throw new HubError('VIGIL_NOT_FOUND', `no device ${req.params.id}`)
        return p
      },
    )

    app.get(
      '/kpis',
      { onRequest: read, schema: { response: { 200: FleetKpis } } },
      async () => compute().kpis,
    )

    app.get(
      '/kpis/history',
      {
        onRequest: read,
        schema: {
          querystring: KpiHistoryQuery,
          response: { 200: KpiHistory, 400: ApiError },
        },
      },
      async (req) => ({ snapshots: await d.governance.kpiHistory.read({ limit: req.query.limit ?? 365 }) }),
    )

    app.get(
      '/governance/groups',
      { onRequest: read, schema: { response: { 200: DeviceGroupList } } },
      async () => ({ groups: d.governance.groups.values() }),
    )
    app.post(
      '/governance/groups',
      { onRequest: act, schema: { body: DeviceGroupInput, response: { 201: DeviceGroup, 400: ApiError } } },
      async (req, reply) => {
        const g = d.governance.addGroup(req.body, who(req.user), d.register.now())
        hub.audit({
          actor: who(req.user),
          action: 'governance.group',
          target: g.id,
          ok: true,
          detail: `${g.name} → ${g.owner}`,
        })
        return reply.code(201).send(g)
      },
    )
    app.delete(
      '/governance/groups/:id',
      { onRequest: act, schema: { params: IdParams, response: { 204: NoContent, 404: ApiError } } },
      async (req, reply) => {
        if (!d.governance.groups.delete(req.params.id)) throw new HubError('VIGIL_NOT_FOUND')
        hub.audit({
          actor: who(req.user),
          action: 'governance.group.delete',
          target: req.params.id,
          ok: true,
        })
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/governance/training',
      { onRequest: read, schema: { response: { 200: TrainingList } } },
      async () => ({ training: d.governance.training.values() }),
    )
    app.post(
      '/governance/training',
      { onRequest: admin, schema: { body: TrainingInput, response: { 201: TrainingRecord, 400: ApiError } } },
      async (req, reply) => {
        if (!hub.store.users.values().some((u) => u.username === req.body.username)) {
          throw new HubError('VIGIL_BAD_REQUEST', `body/username: no user ${req.body.username}`)
        }
        if (req.body.expiresAt !== undefined && req.body.expiresAt < req.body.completedAt) {
          throw new HubError('VIGIL_BAD_REQUEST', 'body/expiresAt is before body/completedAt')
        }
        const t = d.governance.addTraining(req.body, who(req.user), d.register.now())
        hub.audit({
          actor: who(req.user),
          action: 'governance.training',
          target: t.username,
          ok: true,
          detail: t.course,
        })
        return reply.code(201).send(t)
      },
    )
    app.delete(
      '/governance/training/:id',
      { onRequest: admin, schema: { params: IdParams, response: { 204: NoContent, 404: ApiError } } },
      async (req, reply) => {
        if (!d.governance.training.delete(req.params.id)) throw new HubError('VIGIL_NOT_FOUND')
        return reply.code(204).send(null)
      },
    )

    const report = () => {
      const c = compute()
      return maturityReport({
        now: c.now,
        devices: c.devices,
        users: hub.store.users.values(),
        groups: d.governance.groups.values(),
        training: d.governance.training.values(),
        findings: c.findings,
        postures: c.postures,
        kpis: c.kpis,
        sla: d.register.sla,
        advisories: d.engine.advisories.size,
        kevCatalogVersion: d.engine.enrichment.kevVersion,
      })
    }
    app.get('/maturity', { onRequest: read, schema: { response: { 200: MaturityReport } } }, async () =>
      report(),
    )
    app.get(
      '/maturity.html',
      {
        onRequest: read,
        schema: {
          response: {
            200: {
              description: 'the maturity report, printable',
              content: { 'text/html': { schema: Type.String() } },
            },
          },
        },
      },
      async (_req, reply) =>
        reply.header('content-type', 'text/html; charset=utf-8').send(maturityHtml(report())),
    )
  }
