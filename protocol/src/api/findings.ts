/**
 * The risk register over HTTP (`/api/v1/findings…`, `/api/v1/register/sla`) and advisories
 * (`/api/v1/advisories…`): what the hub answers and what it accepts. A finding is one (device,
 * advisory, CVE, component); its content is derived from inventories × advisories, its state from the
 * decisions people made.
 */
import { Severity, type Static, Type } from '../schema.js'
import { ClinicalFunction } from './context.js'
import { SsvcDecision, SsvcSla } from './ssvc.js'

export const FindingState = Type.Union(
  [
    Type.Literal('open'),
    Type.Literal('in_progress'),
    Type.Literal('mitigated'),
    Type.Literal('accepted'),
    Type.Literal('false_positive'),
    Type.Literal('resolved'),
  ],
  { description: 'resolved is set by the hub only (fixed version observed, advisory withdrawn)' },
)
export type FindingState = Static<typeof FindingState>

export const FindingConfidence = Type.Union([
  Type.Literal('exact'),
  Type.Literal('range'),
  Type.Literal('review'),
])

/**
 * How a device matched a CSAF product entry: `exact` (name as written, model number, SKU, CPE, purl),
 * `alias` (one model of a list, vendor prefix added or dropped, abbreviation), `review` (prose version
 * or a name shared only in part: a person confirms).
 */
export const MatchTier = Type.Union([Type.Literal('exact'), Type.Literal('alias'), Type.Literal('review')])
export type MatchTier = Static<typeof MatchTier>

/** An accepted, unexpired vendor manifest that fixes a finding's CVE on its device ("patch available"). */
export const PatchRef = Type.Object({
  manifestId: Type.String(),
  vendor: Type.String(),
  product: Type.String(),
  version: Type.String(),
})
export type PatchRef = Static<typeof PatchRef>

/** A finding as the register shows it (`GET /api/v1/findings`). */
export const FindingView = Type.Object(
  {
    id: Type.String(),
    deviceId: Type.String(),
    deviceName: Type.String(),
    advisory: Type.String(),
    cve: Type.Union([Type.String(), Type.Null()]),
    component: Type.Object({
      name: Type.String(),
      version: Type.String(),
      purl: Type.Union([Type.String(), Type.Null()]),
    }),
    affected: Type.String({ description: 'the range as the advisory wrote it' }),
    fixed: Type.Union([Type.String(), Type.Null()]),
    severity: Type.Union([Severity, Type.Null()]),
    kev: Type.Boolean(),
    kevDueDate: Type.Optional(Type.String()),
    epss: Type.Optional(Type.Number()),
    confidence: FindingConfidence,
    why: Type.Optional(
      Type.Object({
        source: Type.String(),
        entry: Type.String(),
        reason: Type.String(),
        tier: Type.Optional(MatchTier),
        identified: Type.Optional(
          Type.String({ description: 'how the device was identified as the product' }),
        ),
      }),
    ),
    state: FindingState,
    owner: Type.Union([Type.String(), Type.Null()]),
    firstSeen: Type.String({ format: 'date-time' }),
    resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    dueDate: Type.String({ format: 'date-time' }),
    overdue: Type.Boolean(),
    decision: Type.Union([
      Type.Object({
        by: Type.String(),
        at: Type.String({ format: 'date-time' }),
        why: Type.String(),
        justification: Type.Optional(Type.String()),
        approver: Type.Optional(Type.String()),
        expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
        reason: Type.Optional(Type.String()),
        control: Type.Optional(Type.String()),
        vexJustification: Type.Optional(Type.String()),
      }),
      Type.Null(),
    ]),
    ssvc: Type.Optional(SsvcDecision),
    clinicalFunction: Type.Optional(
      Type.Union([ClinicalFunction, Type.Null()], {
        description: "the device's effective clinical function",
      }),
    ),
    patch: Type.Optional(
      Type.Union([PatchRef, Type.Null()], {
        description: 'the newest manifest fixing this open finding on its device; null when none (or closed)',
      }),
    ),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'rises with every change of the finding; send it back (If-Match, or versions in a bulk) so that a change made meanwhile by someone else is refused with 409, not overwritten',
      }),
    ),
  },
  { $id: 'FindingView' },
)
export type FindingView = Static<typeof FindingView>

export const FindingList = Type.Object(
  { findings: Type.Array(FindingView), total: Type.Integer() },
  { $id: 'FindingList' },
)
export type FindingList = Static<typeof FindingList>

/** Query of `GET /api/v1/findings` and `GET /api/v1/findings/export`. */
export const FindingQuery = Type.Object({
  state: Type.Optional(Type.String({ description: 'one state or several, comma-separated' })),
  severity: Type.Optional(Type.String({ description: 'one severity or several, comma-separated' })),
  kev: Type.Optional(Type.Boolean()),
  overdue: Type.Optional(Type.Boolean()),
  device: Type.Optional(Type.String()),
  advisory: Type.Optional(Type.String()),
  owner: Type.Optional(Type.String()),
  decision: Type.Optional(
    Type.String({ description: 'one SSVC outcome or several, comma-separated (immediate,out-of-cycle…)' }),
  ),
  sort: Type.Optional(
    Type.Union([Type.Literal('due'), Type.Literal('decision')], {
      description: 'due (default: KEV, severity, due date) or decision (SSVC outcome first)',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
})
export type FindingQuery = Static<typeof FindingQuery>

/** CycloneDX `analysis.justification` for a false positive in the VEX export (default code_not_present). */
export const VexJustification = Type.Union([
  Type.Literal('code_not_present'),
  Type.Literal('code_not_reachable'),
  Type.Literal('requires_configuration'),
  Type.Literal('requires_dependency'),
  Type.Literal('requires_environment'),
  Type.Literal('protected_by_compiler'),
  Type.Literal('protected_at_runtime'),
  Type.Literal('protected_at_perimeter'),
  Type.Literal('protected_by_mitigating_control'),
])
export type VexJustification = Static<typeof VexJustification>

/**
 * `POST /api/v1/findings/:id/transition` (and each item of a bulk transition). `state` and/or `owner`;
 * `why` always. accepted needs justification, approver and a future expiresAt; false_positive a
 * reason; mitigated the compensating control.
 */
export const FindingTransition = Type.Object(
  {
    state: Type.Optional(
      Type.Union([
        Type.Literal('open'),
        Type.Literal('in_progress'),
        Type.Literal('mitigated'),
        Type.Literal('accepted'),
        Type.Literal('false_positive'),
      ]),
    ),
    owner: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()])),
    why: Type.String({ minLength: 1, maxLength: 4000 }),
    justification: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    approver: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    control: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    vexJustification: Type.Optional(VexJustification),
  },
  { additionalProperties: false, $id: 'FindingTransition' },
)
export type FindingTransition = Static<typeof FindingTransition>

/**
 * `POST /api/v1/findings/bulk`: all or nothing. Every finding is checked first; any refusal leaves all
 * unchanged (`failed` lists them, `updated` is empty); a finding changed since the version in
 * `versions` answers 409 with the current findings.
 */
export const BulkTransition = Type.Object(
  {
    ids: Type.Array(Type.String(), { minItems: 1, maxItems: 5000 }),
    transition: FindingTransition,
    versions: Type.Optional(
      Type.Record(Type.String(), Type.Integer({ minimum: 1 }), {
        description:
          'finding id → the version the operator saw (FindingView.version); any finding changed since: 409, nothing changed',
      }),
    ),
  },
  { additionalProperties: false, $id: 'BulkTransition' },
)
export type BulkTransition = Static<typeof BulkTransition>

export const BulkResult = Type.Object({
  updated: Type.Array(Type.String()),
  failed: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), message: Type.String() })),
})
export type BulkResult = Static<typeof BulkResult>

/** One line of a finding's history (`GET /api/v1/findings/:id/history`), newest first. */
export const FindingHistoryEntry = Type.Object({
  findingId: Type.String(),
  ts: Type.String({ format: 'date-time' }),
  actor: Type.String({ description: '"system" for automatic transitions' }),
  from: Type.Union([FindingState, Type.Null()]),
  to: FindingState,
  why: Type.String(),
  owner: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})
export type FindingHistoryEntry = Static<typeof FindingHistoryEntry>

export const FindingHistory = Type.Object(
  { history: Type.Array(FindingHistoryEntry) },
  { $id: 'FindingHistory' },
)
export type FindingHistory = Static<typeof FindingHistory>

/** `GET /api/v1/findings/:id`: the finding and its history, newest first. */
export const FindingDetail = Type.Object(
  { ...FindingView.properties, history: Type.Array(FindingHistoryEntry) },
  { $id: 'FindingDetail' },
)
export type FindingDetail = Static<typeof FindingDetail>

/** `GET /api/v1/findings/export` as JSON (an attachment); `?format=csv` answers text/csv instead. */
export const FindingExport = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time' }),
    findings: Type.Array(FindingView),
    total: Type.Integer(),
  },
  { $id: 'FindingExport' },
)
export type FindingExport = Static<typeof FindingExport>

/** Days to remediate per severity (`GET|PUT /api/v1/register/sla`). `unknown` = no severity given. */
export const SlaPolicy = Type.Object(
  {
    critical: Type.Integer({ minimum: 1, maximum: 3650 }),
    high: Type.Integer({ minimum: 1, maximum: 3650 }),
    medium: Type.Integer({ minimum: 1, maximum: 3650 }),
    low: Type.Integer({ minimum: 1, maximum: 3650 }),
    none: Type.Integer({ minimum: 1, maximum: 3650 }),
    unknown: Type.Integer({ minimum: 1, maximum: 3650 }),
    kevDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      description: 'a KEV finding is due within this many days, or by the KEV due date, if sooner',
    }),
    ssvc: Type.Optional(SsvcSla),
  },
  { additionalProperties: false, $id: 'SlaPolicy' },
)
export type SlaPolicy = Static<typeof SlaPolicy>

/** A row of `GET /api/v1/advisories`. */
export const AdvisorySummary = Type.Object({
  id: Type.String(),
  source: Type.Union([Type.Literal('osv'), Type.Literal('csaf')]),
  revision: Type.String(),
  title: Type.String(),
  cves: Type.Array(Type.String()),
  severity: Type.Union([Severity, Type.Null()]),
  score: Type.Union([Type.Number(), Type.Null()]),
  withdrawn: Type.Boolean(),
  kev: Type.Boolean(),
  packages: Type.Integer(),
  products: Type.Integer(),
  findings: Type.Integer({ description: 'current (unresolved) findings of this advisory' }),
})
export type AdvisorySummary = Static<typeof AdvisorySummary>

/** `GET /api/v1/correlation/stats`: the correlation engine's counters (diagnostics; more may follow). */
export const CorrelationStats = Type.Object(
  {
    correlations: Type.Integer({ description: 'device × advisory-set correlations run since start' }),
    targets: Type.Integer({ description: 'distinct match targets (identical images count once)' }),
    advisories: Type.Integer(),
    decisions: Type.Integer({ description: 'SSVC decisions computed since start' }),
  },
  { additionalProperties: true, $id: 'CorrelationStats' },
)
export type CorrelationStats = Static<typeof CorrelationStats>

/** Query of `GET /api/v1/advisories`. */
export const AdvisoryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  source: Type.Optional(Type.Union([Type.Literal('osv'), Type.Literal('csaf')])),
  kev: Type.Optional(Type.Boolean()),
  withdrawn: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type AdvisoryQuery = Static<typeof AdvisoryQuery>

/**
 * `POST /api/v1/advisories` body: an OSV record or an array of them, a CSAF 2.0 document or a CISA KEV
 * catalog. Which one, and whether it is valid, the import decides (400 with the reason).
 */
export const AdvisoryDocument = Type.Union(
  [Type.Object({}, { additionalProperties: true }), Type.Array(Type.Unknown())],
  { description: 'OSV record(s), CSAF 2.0 document or CISA KEV catalog (JSON)' },
)
export type AdvisoryDocument = Static<typeof AdvisoryDocument>

export const AdvisoryList = Type.Object({ advisories: Type.Array(AdvisorySummary), total: Type.Integer() })
export type AdvisoryList = Static<typeof AdvisoryList>

/** `GET /api/v1/advisories/:id`: the advisory, what it names, and the devices it matched. */
export const AdvisoryDetail = Type.Object({
  ...AdvisorySummary.properties,
  aliases: Type.Array(Type.String()),
  affects: Type.Array(
    Type.Object({
      kind: Type.String(),
      name: Type.String(),
      affected: Type.String(),
      fixed: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  devices: Type.Array(
    Type.Object({
      deviceId: Type.String(),
      deviceName: Type.String(),
      findingId: Type.String(),
      component: Type.String(),
      installed: Type.String(),
      affected: Type.String(),
      fixed: Type.Union([Type.String(), Type.Null()]),
      confidence: FindingConfidence,
      state: FindingState,
    }),
  ),
})
export type AdvisoryDetail = Static<typeof AdvisoryDetail>

/** `POST /api/v1/advisories` answer: the import summary of the uploaded document. */
export const AdvisoryUploadResult = Type.Object({
  imported: Type.Array(Type.String()),
  updated: Type.Array(Type.String()),
  skipped: Type.Array(Type.Object({ reason: Type.String() })),
  kev: Type.Integer({ description: 'KEV entries taken from the document' }),
})
export type AdvisoryUploadResult = Static<typeof AdvisoryUploadResult>
