import { type Static, Type } from '../schema.js'

/**
 * Advisory feeds (`/api/v1/feeds`): where the hub fetches advisories from by itself.
 *   csaf-provider    a CSAF 2.0 provider-metadata.json (or a domain: .well-known / security.txt)
 *   csaf-aggregator  an aggregator.json: the providers (or mirrors) an admin picks are synced
 *   osv              the base of an OSV bucket (<url>/<Ecosystem>/all.zip, modified_id.csv, <ID>.json)
 *   kev              the CISA Known Exploited Vulnerabilities JSON catalog
 *   epss             FIRST's daily EPSS CSV (gzip or plain)
 */
export const FeedKind = Type.Union(
  [
    Type.Literal('csaf-provider'),
    Type.Literal('csaf-aggregator'),
    Type.Literal('osv'),
    Type.Literal('kev'),
    Type.Literal('epss'),
  ],
  { $id: 'FeedKind' },
)
export type FeedKind = Static<typeof FeedKind>

const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' })
const Interval = Type.Integer({ minimum: 5, maximum: 7 * 24 * 60 })
const Ecosystems = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9:._ -]+$' }), {
  maxItems: 64,
})

const Providers = Type.Array(Url, { maxItems: 200 })

/** `POST /api/v1/feeds` → 201 FeedView. */
export const FeedCreate = Type.Object(
  {
    kind: FeedKind,
    url: Url,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    enabled: Type.Optional(Type.Boolean()),
    intervalMinutes: Type.Optional(Interval),
    /** osv only: which ecosystems of the bucket (e.g. Debian, Alpine). */
    ecosystems: Type.Optional(Ecosystems),
    /** csaf-aggregator only: the provider-metadata URLs (a provider's or one of its mirrors) to sync. */
    providers: Type.Optional(Providers),
  },
  { $id: 'FeedCreate', additionalProperties: false },
)
export type FeedCreate = Static<typeof FeedCreate>

/** `PATCH /api/v1/feeds/:id` → 200 FeedView. */
export const FeedPatch = Type.Object(
  {
    url: Type.Optional(Url),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    enabled: Type.Optional(Type.Boolean()),
    intervalMinutes: Type.Optional(Interval),
    ecosystems: Type.Optional(Ecosystems),
    providers: Type.Optional(Providers),
  },
  { $id: 'FeedPatch', additionalProperties: false },
)
export type FeedPatch = Static<typeof FeedPatch>

export const FeedRefusal = Type.Object({ url: Type.String(), reason: Type.String() }, { $id: 'FeedRefusal' })
export type FeedRefusal = Static<typeof FeedRefusal>

/** The outcome of one sync. `refused` lists every document still refused (until it changes). */
export const FeedSyncResult = Type.Object(
  {
    at: Type.String(),
    ok: Type.Boolean(),
    added: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    refused: Type.Array(FeedRefusal),
    /** Why the sync failed (ok false). */
    error: Type.Optional(Type.String()),
    /** Requests made and bytes downloaded. */
    requests: Type.Integer(),
    bytes: Type.Integer(),
  },
  { $id: 'FeedSyncResult' },
)
export type FeedSyncResult = Static<typeof FeedSyncResult>

export const FeedProgress = Type.Object(
  { phase: Type.String(), done: Type.Integer(), total: Type.Optional(Type.Integer()) },
  { $id: 'FeedProgress' },
)
export type FeedProgress = Static<typeof FeedProgress>

export const FeedView = Type.Object(
  {
    id: Type.String(),
    kind: FeedKind,
    name: Type.String(),
    url: Type.String(),
    enabled: Type.Boolean(),
    intervalMinutes: Type.Integer(),
    ecosystems: Type.Optional(Type.Array(Type.String())),
    providers: Type.Optional(Type.Array(Type.String())),
    /** csaf-aggregator: what the aggregator listed at the last sync, to pick from. */
    available: Type.Optional(
      Type.Array(
        Type.Object({ name: Type.String(), url: Type.String(), mirrors: Type.Array(Type.String()) }),
      ),
    ),
    /** A preset the hub offers (off until an admin enables it). */
    preset: Type.Boolean(),
    createdAt: Type.String(),
    lastSync: Type.Optional(FeedSyncResult),
    /** When the last successful sync finished. */
    lastSuccessAt: Type.Optional(Type.String()),
    /** null when the feed is disabled. */
    nextSyncAt: Type.Union([Type.String(), Type.Null()]),
    /** Set while a sync runs. */
    running: Type.Optional(FeedProgress),
    /** csaf-provider: the OpenPGP fingerprints pinned at the first sync. */
    pinnedKeys: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'FeedView' },
)
export type FeedView = Static<typeof FeedView>

export const FeedList = Type.Object({ feeds: Type.Array(FeedView) }, { $id: 'FeedList' })
export type FeedList = Static<typeof FeedList>

/**
 * `GET /api/v1/feeds/status` (any staff role): what posture pages show above a clean fleet when the
 * hub cannot know better — no advisories at all, or feeds failing for more than a day.
 */
export const AdvisoryStatus = Type.Object(
  {
    advisories: Type.Integer(),
    feeds: Type.Integer(),
    enabledFeeds: Type.Integer(),
    /** Enabled feeds whose last success is older than a day (or that never succeeded in a day). */
    failing: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), since: Type.String() })),
    /** A plain sentence to show, or null when the hub's advisories are current. */
    notice: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AdvisoryStatus' },
)
export type AdvisoryStatus = Static<typeof AdvisoryStatus>

/**
 * `POST /api/v1/advisories/import` (admin): advisory files as an operator has them — CSAF or OSV JSON,
 * a KEV catalog, an EPSS CSV (plain or .gz), or a zip of those — each base64-encoded.
 */
export const AdvisoryFilesUpload = Type.Object(
  {
    files: Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, maxLength: 512 }),
        data: Type.String({ contentEncoding: 'base64' }),
      }),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { $id: 'AdvisoryFilesUpload', additionalProperties: false },
)
export type AdvisoryFilesUpload = Static<typeof AdvisoryFilesUpload>

/** Per-file results (a zip answers one line per member). */
export const AdvisoryFilesResult = Type.Object(
  {
    files: Type.Array(
      Type.Object({
        name: Type.String(),
        imported: Type.Array(Type.String()),
        updated: Type.Array(Type.String()),
        skipped: Type.Array(Type.String()),
        refused: Type.Optional(Type.String()),
        kev: Type.Integer(),
        epss: Type.Integer(),
      }),
    ),
    imported: Type.Integer(),
    updated: Type.Integer(),
    refused: Type.Integer(),
    /** Advisories the running hub correlates with after the import. */
    advisories: Type.Integer(),
  },
  { $id: 'AdvisoryFilesResult' },
)
export type AdvisoryFilesResult = Static<typeof AdvisoryFilesResult>

/** `POST /api/v1/feeds/bundle` (admin, application/zip): an offline bundle applied feed by feed. */
export const BundleResult = Type.Object(
  {
    feeds: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        kind: FeedKind,
        created: Type.Boolean(),
        result: FeedSyncResult,
      }),
    ),
  },
  { $id: 'BundleResult' },
)
export type BundleResult = Static<typeof BundleResult>
