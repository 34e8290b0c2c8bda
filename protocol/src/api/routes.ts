/**
 * The HTTP API as a typed map: `'METHOD /path/:param'` (under `API_PREFIX`) → its query, body and reply
 * schemas. Path parameters come from the path itself. The dashboard's client calls routes by these
 * keys, so what it sends and what it reads are the protocol's types, never hand copies; the hub
 * declares the same schemas on its routes. `reply: null` is an answer without a body (204).
 */

import { CommandResponse } from '../messages/command.js'
import { DsseEnvelope } from '../messages/manifest.js'
import { type Static, type TSchema, Type } from '../schema.js'
import { BaselineState, BaselineUpload, VendorAliasInput, VendorAliasTable } from './baselines.js'
import { BinaryFile } from './common.js'
import {
  BulkContext,
  BulkContextResult,
  ContextImport,
  ContextImportResult,
  DeviceContextList,
  DeviceContextView,
  DevicePatch,
  ModelContext,
  ModelContextList,
} from './context.js'
import { CycloneDxDocument } from './cyclonedx.js'
import {
  DeviceCommandBody,
  DeviceDetail,
  DeviceEventList,
  DeviceList,
  DeviceSummary,
  DeviceTelemetryList,
} from './device.js'
import {
  DeviceCredentials,
  EnrollmentTokenList,
  EnrollmentTokenResponse,
  EnrollRequest,
  EnrollResponse,
} from './enrollment.js'
import {
  AdvisoryFilesResult,
  AdvisoryFilesUpload,
  AdvisoryStatus,
  BundleResult,
  FeedCreate,
  FeedList,
  FeedPatch,
  FeedView,
} from './feeds.js'
import {
  AdvisoryDetail,
  AdvisoryDocument,
  AdvisoryList,
  AdvisoryQuery,
  AdvisoryUploadResult,
  BulkResult,
  BulkTransition,
  CorrelationStats,
  FindingDetail,
  FindingExport,
  FindingHistory,
  FindingList,
  FindingQuery,
  FindingTransition,
  FindingView,
  SlaPolicy,
} from './findings.js'
import {
  DeviceGroup,
  DeviceGroupList,
  KpiHistory,
  MaturityReport,
  TrainingList,
  TrainingRecord,
} from './governance.js'
import {
  DeviceManifestList,
  ManifestDetail,
  ManifestList,
  ManifestUpload,
  PatchAvailability,
  RolloutCancel,
  RolloutPlanInput,
} from './manifests.js'
import { DeviceGroupInput, DevicePosture, FleetKpis, PostureList, TrainingInput } from './posture.js'
import {
  AuditQuery,
  DeviceListQuery,
  EnrollmentTokenBody,
  EventQuery,
  FeedExportRequest,
  KpiHistoryQuery,
  PendingDelegationQuery,
  TelemetryQuery,
  VexQuery,
  WebhookInput,
} from './requests.js'
import { SessionRequest, SessionResponse, SessionState } from './session.js'
import { SsvcOverride } from './ssvc.js'
import {
  TrustDelegationAccepted,
  TrustDeviceList,
  TrustPendingDelegation,
  TrustRootAccepted,
  TrustView,
} from './trust.js'
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
  VendorRotationUpload,
  VendorToken,
  VendorTrustBundle,
} from './vendors.js'
import { WebhookCreated, WebhookDeliveryList, WebhookList, WebhookQueued } from './webhooks.js'

/** Every API path starts with this. */
export const API_PREFIX = '/api/v1'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RouteSpec {
  query?: TSchema
  body?: TSchema
  /** The body may be left out (the hub reads none as `{}`); the OpenAPI document says it is not required. */
  bodyOptional?: true
  reply: TSchema | null
}

export const API_ROUTES = {
  'POST /session': { body: SessionRequest, reply: SessionResponse },
  'GET /session': { reply: SessionState },
  'DELETE /session': { reply: null },

  'GET /users': { reply: UserList },
  'POST /users': { body: UserCreate, reply: UserInfo },
  'PATCH /users/:username': { body: UserPatch, reply: UserInfo },
  'DELETE /users/:username': { reply: null },
  'GET /enrollment-tokens': { reply: EnrollmentTokenList },
  'POST /enrollment-tokens': { body: EnrollmentTokenBody, reply: EnrollmentTokenResponse },
  'DELETE /enrollment-tokens/:id': { reply: null },
  'POST /enroll': { body: EnrollRequest, reply: EnrollResponse },
  'GET /audit': { query: AuditQuery, reply: AuditList },
  /** A tar.gz of the data directory (lowdb engine only). */
  'GET /admin/backup': { reply: BinaryFile },

  'GET /devices': { query: DeviceListQuery, reply: DeviceList },
  'GET /devices/:id': { reply: DeviceDetail },
  'PATCH /devices/:id': { body: DevicePatch, reply: DeviceSummary },
  'DELETE /devices/:id': { reply: null },
  'GET /devices/:id/events': { query: EventQuery, reply: DeviceEventList },
  'GET /devices/:id/telemetry': { query: TelemetryQuery, reply: DeviceTelemetryList },
  'POST /devices/:id/commands': { body: DeviceCommandBody, reply: CommandResponse },
  'POST /devices/:id/credentials': { reply: DeviceCredentials },
  'GET /devices/:id/sbom': { reply: CycloneDxDocument },
  'GET /devices/:id/context': { reply: DeviceContextView },
  'GET /device-contexts': { reply: DeviceContextList },
  'POST /devices/context/bulk': { body: BulkContext, reply: BulkContextResult },
  'POST /devices/context/import': { body: ContextImport, reply: ContextImportResult },
  'GET /device-models/context': { reply: ModelContextList },
  'PUT /device-models/context': { body: ModelContext, reply: ModelContext },

  'GET /findings': { query: FindingQuery, reply: FindingList },
  /** JSON; with `?format=csv` the same findings as text/csv. */
  'GET /findings/export': { query: FindingQuery, reply: FindingExport },
  'GET /findings/:id': { reply: FindingDetail },
  'GET /findings/:id/history': { reply: FindingHistory },
  'POST /findings/:id/transition': { body: FindingTransition, reply: FindingView },
  'POST /findings/:id/ssvc-override': { body: SsvcOverride, reply: FindingView },
  'POST /findings/bulk': { body: BulkTransition, reply: BulkResult },
  'GET /register/sla': { reply: SlaPolicy },
  'PUT /register/sla': { body: SlaPolicy, reply: SlaPolicy },
  'GET /vex': { query: VexQuery, reply: CycloneDxDocument },
  'GET /correlation/stats': { reply: CorrelationStats },
  'GET /advisories': { query: AdvisoryQuery, reply: AdvisoryList },
  'GET /advisories/:id': { reply: AdvisoryDetail },
  'POST /advisories': { body: AdvisoryDocument, reply: AdvisoryUploadResult },
  'POST /advisories/import': { body: AdvisoryFilesUpload, reply: AdvisoryFilesResult },

  'GET /feeds': { reply: FeedList },
  'GET /feeds/status': { reply: AdvisoryStatus },
  'POST /feeds': { body: FeedCreate, reply: FeedView },
  'PATCH /feeds/:id': { body: FeedPatch, reply: FeedView },
  'DELETE /feeds/:id': { reply: null },
  'POST /feeds/:id/sync': { reply: FeedView },
  /** A zip of the feeds' advisories, for an air-gapped hub; the body is optional. */
  'POST /feeds/export': { body: FeedExportRequest, bodyOptional: true, reply: BinaryFile },
  /** The body is such a zip (application/zip), read as a stream: no JSON body schema. */
  'POST /feeds/bundle': { reply: BundleResult },

  'GET /manifests': { reply: ManifestList },
  /** The body is the envelope's bytes as signed (see `ManifestUpload`). */
  'POST /manifests': { body: ManifestUpload, reply: ManifestDetail },
  'GET /manifests/patch-available': { reply: PatchAvailability },
  'GET /devices/:id/manifests': { reply: DeviceManifestList },
  'GET /manifests/:id': { reply: ManifestDetail },
  'GET /manifests/:id/envelope': { reply: DsseEnvelope },
  'GET /manifests/:id/trust-check': { reply: ManifestTrustCheck },
  'POST /manifests/:id/rollout': { body: RolloutPlanInput, reply: ManifestDetail },
  'POST /manifests/:id/rollout/advance': { reply: ManifestDetail },
  'POST /manifests/:id/rollout/pause': { reply: ManifestDetail },
  'POST /manifests/:id/rollout/resume': { reply: ManifestDetail },
  /** The body (`{reason?}`) may be left out. */
  'POST /manifests/:id/rollout/cancel': { body: RolloutCancel, bodyOptional: true, reply: ManifestDetail },
  'POST /manifests/:id/targets/:deviceId/retry': { reply: ManifestDetail },

  'GET /trust': { reply: TrustView },
  'POST /trust/root': { body: DsseEnvelope, reply: TrustRootAccepted },
  'POST /trust/delegations': { body: DsseEnvelope, reply: TrustDelegationAccepted },
  'GET /trust/delegations/pending': { query: PendingDelegationQuery, reply: TrustPendingDelegation },
  'GET /trust/devices': { reply: TrustDeviceList },

  'GET /posture/devices': { reply: PostureList },
  'GET /posture/devices/:id': { reply: DevicePosture },
  'GET /kpis': { reply: FleetKpis },
  'GET /kpis/history': { query: KpiHistoryQuery, reply: KpiHistory },
  'GET /maturity': { reply: MaturityReport },
  /** The same report as a printable page (text/html). */
  'GET /maturity.html': { reply: Type.String() },
  'GET /governance/groups': { reply: DeviceGroupList },
  'POST /governance/groups': { body: DeviceGroupInput, reply: DeviceGroup },
  'DELETE /governance/groups/:id': { reply: null },
  'GET /governance/training': { reply: TrainingList },
  'POST /governance/training': { body: TrainingInput, reply: TrainingRecord },
  'DELETE /governance/training/:id': { reply: null },

  'GET /webhooks': { reply: WebhookList },
  'POST /webhooks': { body: WebhookInput, reply: WebhookCreated },
  'DELETE /webhooks/:id': { reply: null },
  'GET /webhooks/deliveries': { reply: WebhookDeliveryList },
  'POST /webhooks/:id/test': { reply: WebhookQueued },

  'GET /vendors': { reply: VendorList },
  'POST /vendors': { body: VendorCreate, reply: VendorCreated },
  'GET /vendors/:id': { reply: VendorInfo },
  'PATCH /vendors/:id': { body: VendorPatch, reply: VendorInfo },
  'GET /vendors/:id/trust': { reply: VendorTrustBundle },
  'POST /vendors/:id/token': { reply: VendorToken },
  'POST /vendors/:id/keys': { body: VendorKeyInput, reply: VendorKeyAdded },
  'POST /vendors/:id/keys/:keyid/revoke': { reply: VendorInfo },
  'DELETE /vendors/:id/keys/:keyid': { reply: VendorInfo },
  'POST /vendors/:id/rotations': { body: VendorRotationUpload, reply: VendorInfo },
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
/** Whether route `R` may be called without its body. */
export type RouteBodyOptional<R extends ApiRoute> = ApiRoutes[R] extends { bodyOptional: true } ? true : false
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
