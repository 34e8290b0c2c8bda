/**
 * The HTTP API as a typed map: `'METHOD /path/:param'` (under `API_PREFIX`) → its query, body and reply
 * schemas. Path parameters come from the path itself. The dashboard's client calls routes by these
 * keys, so what it sends and what it reads are the protocol's types, never hand copies; the hub
 * declares the same schemas on its routes. `reply: null` is an answer without a body (204).
 */

import { CommandResponse } from '../messages/command.js'
import { type Static, type TSchema, Type } from '../schema.js'
import { BaselineState, BaselineUpload, VendorAliasInput, VendorAliasTable } from './baselines.js'
import {
  BulkContext,
  BulkContextResult,
  ContextImport,
  ContextImportResult,
  DeviceContextView,
  DevicePatch,
} from './context.js'
import { CycloneDxDocument } from './cyclonedx.js'
import { DeviceCommandBody, DeviceDetail, DeviceEventList, DeviceSummary } from './device.js'
import { EnrollmentTokenList, EnrollmentTokenRequest, EnrollmentTokenResponse } from './enrollment.js'
import {
  AdvisoryFilesResult,
  AdvisoryFilesUpload,
  AdvisoryStatus,
  FeedCreate,
  FeedList,
  FeedPatch,
  FeedView,
} from './feeds.js'
import {
  AdvisoryDetail,
  AdvisoryList,
  AdvisoryQuery,
  BulkResult,
  BulkTransition,
  FindingHistory,
  FindingList,
  FindingQuery,
  FindingTransition,
  FindingView,
  SlaPolicy,
} from './findings.js'
import {
  DeviceManifestList,
  ManifestDetail,
  ManifestList,
  RolloutCancel,
  RolloutPlanInput,
} from './manifests.js'
import { DevicePosture, FleetKpis, PostureList } from './posture.js'
import { SessionRequest, SessionResponse, SessionState } from './session.js'
import { SsvcOverride } from './ssvc.js'
import { ManifestTrustCheck } from './trust-check.js'
import { AuditList, UserCreate, UserInfo, UserList, UserPatch } from './users.js'
import {
  VendorCreate,
  VendorCreated,
  VendorInfo,
  VendorKeyAdded,
  VendorKeyInput,
  VendorList,
  VendorPatch,
} from './vendors.js'

/** Every API path starts with this. */
export const API_PREFIX = '/api/v1'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RouteSpec {
  query?: TSchema
  body?: TSchema
  reply: TSchema | null
}

const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  actor: Type.Optional(Type.String({ maxLength: 128 })),
})
const EventQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
})

export const API_ROUTES = {
  'POST /session': { body: SessionRequest, reply: SessionResponse },
  'GET /session': { reply: SessionState },
  'DELETE /session': { reply: null },

  'GET /users': { reply: UserList },
  'POST /users': { body: UserCreate, reply: UserInfo },
  'PATCH /users/:username': { body: UserPatch, reply: UserInfo },
  'DELETE /users/:username': { reply: null },
  'GET /enrollment-tokens': { reply: EnrollmentTokenList },
  'POST /enrollment-tokens': { body: EnrollmentTokenRequest, reply: EnrollmentTokenResponse },
  'DELETE /enrollment-tokens/:id': { reply: null },
  'GET /audit': { query: AuditQuery, reply: AuditList },

  'GET /devices/:id': { reply: DeviceDetail },
  'PATCH /devices/:id': { body: DevicePatch, reply: DeviceSummary },
  'GET /devices/:id/events': { query: EventQuery, reply: DeviceEventList },
  'POST /devices/:id/commands': { body: DeviceCommandBody, reply: CommandResponse },
  'GET /devices/:id/sbom': { reply: CycloneDxDocument },
  'GET /devices/:id/context': { reply: DeviceContextView },
  'POST /devices/context/bulk': { body: BulkContext, reply: BulkContextResult },
  'POST /devices/context/import': { body: ContextImport, reply: ContextImportResult },

  'GET /findings': { query: FindingQuery, reply: FindingList },
  'GET /findings/:id/history': { reply: FindingHistory },
  'POST /findings/:id/transition': { body: FindingTransition, reply: FindingView },
  'POST /findings/:id/ssvc-override': { body: SsvcOverride, reply: FindingView },
  'POST /findings/bulk': { body: BulkTransition, reply: BulkResult },
  'GET /register/sla': { reply: SlaPolicy },
  'PUT /register/sla': { body: SlaPolicy, reply: SlaPolicy },
  'GET /advisories': { query: AdvisoryQuery, reply: AdvisoryList },
  'GET /advisories/:id': { reply: AdvisoryDetail },
  'POST /advisories/import': { body: AdvisoryFilesUpload, reply: AdvisoryFilesResult },

  'GET /feeds': { reply: FeedList },
  'GET /feeds/status': { reply: AdvisoryStatus },
  'POST /feeds': { body: FeedCreate, reply: FeedView },
  'PATCH /feeds/:id': { body: FeedPatch, reply: FeedView },
  'DELETE /feeds/:id': { reply: null },
  'POST /feeds/:id/sync': { reply: FeedView },

  'GET /manifests': { reply: ManifestList },
  'GET /devices/:id/manifests': { reply: DeviceManifestList },
  'GET /manifests/:id': { reply: ManifestDetail },
  'GET /manifests/:id/trust-check': { reply: ManifestTrustCheck },
  'POST /manifests/:id/rollout': { body: RolloutPlanInput, reply: ManifestDetail },
  'POST /manifests/:id/rollout/advance': { reply: ManifestDetail },
  'POST /manifests/:id/rollout/pause': { reply: ManifestDetail },
  'POST /manifests/:id/rollout/resume': { reply: ManifestDetail },
  'POST /manifests/:id/rollout/cancel': { body: RolloutCancel, reply: ManifestDetail },
  'POST /manifests/:id/targets/:deviceId/retry': { reply: ManifestDetail },

  'GET /posture/devices': { reply: PostureList },
  'GET /posture/devices/:id': { reply: DevicePosture },
  'GET /kpis': { reply: FleetKpis },

  'GET /vendors': { reply: VendorList },
  'POST /vendors': { body: VendorCreate, reply: VendorCreated },
  'PATCH /vendors/:id': { body: VendorPatch, reply: VendorInfo },
  'POST /vendors/:id/keys': { body: VendorKeyInput, reply: VendorKeyAdded },
  'POST /vendors/:id/keys/:keyid/revoke': { reply: VendorInfo },
  'GET /baselines': { reply: BaselineState },
  'PUT /baselines': { body: BaselineUpload, reply: BaselineState },
  'GET /vendor-aliases': { reply: VendorAliasTable },
  'PUT /vendor-aliases': { body: VendorAliasInput, reply: VendorAliasTable },
} as const satisfies Record<`${HttpMethod} /${string}`, RouteSpec>

export type ApiRoutes = typeof API_ROUTES
export type ApiRoute = keyof ApiRoutes

type PathOf<R extends string> = R extends `${HttpMethod} ${infer P}` ? P : never
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never

/** The path parameters of a route, from its path (`/manifests/:id/targets/:deviceId/retry` → id, deviceId). */
export type RouteParams<R extends ApiRoute> = { [K in ParamNames<PathOf<R>>]: string }
export type RouteQuery<R extends ApiRoute> = ApiRoutes[R] extends { query: infer Q extends TSchema }
  ? Static<Q>
  : never
export type RouteBody<R extends ApiRoute> = ApiRoutes[R] extends { body: infer B extends TSchema }
  ? Static<B>
  : never
export type RouteReply<R extends ApiRoute> = ApiRoutes[R]['reply'] extends infer S extends TSchema
  ? Static<S>
  : undefined

/** `'PATCH /users/:username'`, `{username: 'a b'}` → `PATCH`, `/users/a%20b` (parameters URL-encoded). */
export function routeUrl<R extends ApiRoute>(
  route: R,
  params: RouteParams<R>,
): { method: HttpMethod; path: string } {
  const [method, template] = route.split(' ') as [HttpMethod, string]
  const values = params as Record<string, string>
  const path = template.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const v = values[name]
    if (v === undefined) throw new Error(`${route}: parameter ${name} missing`)
    return encodeURIComponent(v)
  })
  return { method, path }
}
