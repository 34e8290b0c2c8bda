/**
 * Query strings and small request bodies that the hub used to declare inline on its routes: here, so
 * that the route map (`API_ROUTES`) and the hub's routes share one schema each.
 */
import { type Static, Type } from '../schema.js'
import { EnrollmentTokenRequest } from './enrollment.js'

/** `GET /api/v1/audit`: paging, filters, and `format=csv` for the same entries as CSV. */
export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  actor: Type.Optional(Type.String({ maxLength: 128 })),
  format: Type.Optional(Type.Enum(['json', 'csv'])),
})
export type AuditQuery = Static<typeof AuditQuery>

/** `GET /api/v1/devices/:id/events`: paging. */
export const EventQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type EventQuery = Static<typeof EventQuery>

/** `POST /api/v1/enrollment-tokens`: the token's limits, or no body (`null`) for the defaults. */
export const EnrollmentTokenBody = Type.Union([EnrollmentTokenRequest, Type.Null()])
export type EnrollmentTokenBody = Static<typeof EnrollmentTokenBody>

/** `GET /api/v1/devices`: paging, sort and filters. */
export const DeviceListQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  sort: Type.Optional(Type.Enum(['name', 'lastSeen', 'enrolledAt', 'online', 'cpuPct', 'memUsedPct'])),
  order: Type.Optional(Type.Enum(['asc', 'desc'])),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  online: Type.Optional(Type.Boolean()),
  vendor: Type.Optional(Type.String({ maxLength: 128 })),
  model: Type.Optional(Type.String({ maxLength: 128 })),
})
export type DeviceListQuery = Static<typeof DeviceListQuery>

/** `GET /api/v1/devices/:id/telemetry`: samples since a time. */
export const TelemetryQuery = Type.Object({ since: Type.Optional(Type.String({ format: 'date-time' })) })
export type TelemetryQuery = Static<typeof TelemetryQuery>

/** `GET /api/v1/kpis/history`: at most this many daily snapshots. */
export const KpiHistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
})
export type KpiHistoryQuery = Static<typeof KpiHistoryQuery>

/** `GET /api/v1/trust/delegations/pending`: the vendor (name or id) to delegate to. */
export const PendingDelegationQuery = Type.Object({ vendor: Type.String({ minLength: 1, maxLength: 128 }) })
export type PendingDelegationQuery = Static<typeof PendingDelegationQuery>

/** `GET /api/v1/vex`: one device's statements, or the fleet's. */
export const VexQuery = Type.Object({ device: Type.Optional(Type.String()) })
export type VexQuery = Static<typeof VexQuery>

/** `POST /api/v1/feeds/export`: which feeds go into the bundle (all when absent). */
export const FeedExportRequest = Type.Object({
  feeds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
})
export type FeedExportRequest = Static<typeof FeedExportRequest>

/** Events a webhook endpoint may subscribe to (`*`: all). */
export const WEBHOOK_EVENTS = [
  'finding.new',
  'finding.kev',
  'finding.transition',
  'finding.resolved',
  'finding.reopened',
  'finding.overdue',
  'acceptance.expiring',
  'finding.decision',
  'acceptance.expired',
  'ping',
  '*',
] as const

/** `POST /api/v1/webhooks`: a new endpoint (a secret is generated when none is given). */
export const WebhookInput = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    events: Type.Array(Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e))), { minItems: 1 }),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
    description: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
)
export type WebhookInput = Static<typeof WebhookInput>
