/**
 * The hub's configuration: one schema, read from the environment (and explicit overrides) in this one
 * file, every error listed at once, then frozen. `process.env` is read nowhere else in the hub.
 */
import Type, { type Static } from 'typebox'
import { Value } from 'typebox/value'
import { parseFetchAllowList } from './net/fetch-guard.js'

const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const Positive = Type.Integer({ minimum: 1 })

export const HubConfigSchema = Type.Object(
  {
    httpHost: Type.String({ default: '127.0.0.1' }),
    httpPort: Type.Intersect([Port], { default: 8080 }),
    mqttHost: Type.String({ default: '127.0.0.1' }),
    mqttPort: Type.Intersect([Port], { default: 1883 }),
    /** MQTT over TLS, only when both certificate and key are configured. */
    mqttTlsPort: Type.Intersect([Port], { default: 8883 }),
    tlsCert: Type.Optional(Type.String({ minLength: 1 })),
    tlsKey: Type.Optional(Type.String({ minLength: 1 })),
    /** MQTT over WebSocket on the HTTP server at this path (e.g. `/mqtt`), when set. */
    mqttWsPath: Type.Optional(Type.String({ pattern: '^/[A-Za-z0-9/_-]*$' })),
    /**
     * The URL devices are told to use at enrollment. Never taken from a request's Host header; when unset,
     * built from mqttHost (this machine's host name when it is a wildcard) and the bound port.
     */
    mqttPublicUrl: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?)://' })),
    /** With TLS configured, plaintext MQTT stays closed unless this is true. */
    mqttPlaintext: Type.Boolean({ default: false }),
    /** `/metrics` answers `Authorization: Bearer <metricsToken>` (or an admin session); nothing else. */
    metricsToken: Type.Optional(Type.String({ minLength: 16 })),
    /**
     * Behind a reverse proxy: trust its X-Forwarded-* headers (client address, https). `true`, a hop count,
     * or comma-separated addresses/CIDRs of the proxies; unset: no proxy is trusted.
     */
    trustProxy: Type.Optional(Type.String({ minLength: 1 })),
    /** Origins (scheme://host[:port]) besides the hub's own that may open the live stream. Comma-separated. */
    allowedOrigins: Type.Optional(Type.String()),
    /** HSTS max-age when the hub serves HTTPS (directly or behind a trusted proxy). */
    hstsMaxAgeSec: Type.Intersect([Type.Integer({ minimum: 0 })], { default: 15_552_000 }),
    /** External broker: when set, no broker is embedded and the hub connects as a client. */
    mqttUrl: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?|tcp)://' })),
    mqttUsername: Type.Optional(Type.String()),
    mqttPassword: Type.Optional(Type.String()),
    mqttShareGroup: Type.String({ default: 'vigil-hub', pattern: '^[A-Za-z0-9_-]+$' }),
    /**
     * External broker: the hub's MQTT client id. Stable across restarts so its persistent session (and
     * what the broker queued for it while it was away) is resumed; unset: derived from this machine's
     * host name and the data directory (two hubs on one machine get two ids).
     */
    mqttClientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' })),
    /** External broker: how long the broker keeps the hub's session (subscription, queued messages) while it is away. */
    mqttSessionExpirySec: Type.Integer({ minimum: 0, maximum: 4_294_967_295, default: 86_400 }),
    /**
     * External broker + PostgreSQL (several hubs): the number of hub slots, each one persistent MQTT
     * session `<mqttShareGroup>-slot-<k>` held by one hub at a time under a PostgreSQL advisory lock, so
     * a dead hub's queued messages are taken over by a live one. 0: one session per hub (mqttClientId).
     */
    hubSlots: Type.Integer({ minimum: 0, maximum: 256, default: 8 }),
    /** How often a hub tries to take free slots and rebalances (one slot released per round). */
    hubSlotIntervalMs: Type.Intersect([Positive], { default: 1000 }),
    /**
     * External broker: who issues device credentials. `mosquitto-dynsec`: the hub creates, disables,
     * rotates and deletes them through Mosquitto's dynamic security plugin as its admin (below).
     */
    mqttCredentials: Type.Optional(Type.Enum(['mosquitto-dynsec'])),
    mqttDynsecUsername: Type.Optional(Type.String({ minLength: 1 })),
    mqttDynsecPassword: Type.Optional(Type.String({ minLength: 1 })),
    /** A file holding the dynsec admin password (first line), instead of mqttDynsecPassword. */
    mqttDynsecPasswordFile: Type.Optional(Type.String({ minLength: 1 })),
    /** A dynsec command not answered within this time fails (the change it was part of is not made). */
    mqttDynsecTimeoutMs: Type.Intersect([Positive], { default: 5000 }),
    dataDir: Type.String({ default: './data', minLength: 1 }),
    /**
     * Keep all hub state in PostgreSQL (`postgres://user:password@host:port/db`, libpq's `sslmode` …
     * parameters understood) instead of the embedded store in dataDir.
     */
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    /** PostgreSQL connections per hub. */
    databasePoolSize: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
    /** PostgreSQL over TLS: the CA file the server's certificate is verified against… */
    databaseSslCa: Type.Optional(Type.String({ minLength: 1 })),
    /** …and whether a server that fails verification is refused (default true when TLS is configured). */
    databaseSslRejectUnauthorized: Type.Optional(Type.Boolean()),
    adminPassword: Type.Optional(Type.String({ minLength: 8 })),
    dashboardDir: Type.Optional(Type.String({ minLength: 1 })),
    logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
    /** Store: dirty collections are written at most this often. */
    flushIntervalMs: Type.Intersect([Positive], { default: 1000 }),
    /** A dashboard client with more than this waiting to be read is disconnected. */
    socketMaxQueuedBytes: Type.Integer({ minimum: 64 * 1024, default: 2 * 1024 * 1024 }),
    /** Group-commit window: at most one fsync round per window; acknowledgements wait for it. */
    commitWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    /**
     * UNSAFE, for measuring what durability costs (test/bench) only: the journal is written but never
     * fsynced, so an acknowledged change can be lost to a power cut or a kernel crash. Off unless set
     * explicitly (VIGIL_UNSAFE_NO_FSYNC=true); the hub logs a warning at start when it is on.
     */
    unsafeNoFsync: Type.Boolean({ default: false }),
    /** Broker limits. */
    maxPacketBytes: Type.Intersect([Positive], { default: 4 * 1024 * 1024 }),
    deviceRatePerSec: Type.Intersect([Positive], { default: 20 }),
    deviceRateBurst: Type.Intersect([Positive], { default: 200 }),
    /** Payload bytes per second and device (kept across reconnects), and the burst above it. */
    deviceBytesPerSec: Type.Intersect([Positive], { default: 256 * 1024 }),
    deviceBytesBurst: Type.Intersect([Positive], { default: 8 * 1024 * 1024 }),
    /**
     * Inventories and hardening reports from one device at most this often (each kind); one inside the
     * interval is acknowledged and dropped unless the hub asked for it (send-inventory/send-hardening).
     */
    deviceReportMinIntervalSec: Type.Integer({ minimum: 0, default: 60 }),
    /** Stored inventories/hardening reports no device references are deleted by a sweep this often… */
    blobSweepIntervalSec: Type.Intersect([Positive], { default: 3600 }),
    /** …once they have been unreferenced for at least this long (never one written more recently). */
    blobGraceSec: Type.Intersect([Positive], { default: 600 }),
    /** A second connection with a connected device's credentials: take over (logged) or be refused. */
    mqttTakeover: Type.Enum(['allow', 'refuse'], { default: 'allow' }),
    /** Audit log: keep at most this many segments (64 MiB each); unset: the whole trail. */
    auditRetentionSegments: Type.Optional(Type.Integer({ minimum: 1 })),
    /** PostgreSQL: how often the log retention runs (on the hub holding the store.retention job). */
    logRetentionIntervalSec: Type.Intersect([Positive], { default: 3600 }),
    /** PostgreSQL: how often a hub tries to take the cluster-wide jobs it does not hold (jobs/). */
    jobLeaseMs: Type.Intersect([Positive], { default: 2000 }),
    /** Audit log: a new segment begins once the active one holds this much. */
    auditSegmentBytes: Type.Integer({ minimum: 4096, default: 64 * 1024 * 1024 }),
    drainTimeoutMs: Type.Intersect([Positive], { default: 5000 }),
    /** Live stream: changes per device are coalesced for this long. */
    coalesceMs: Type.Intersect([Positive], { default: 250 }),
    sessionTtlSec: Type.Intersect([Positive], { default: 12 * 3600 }),
    loginMaxFailures: Type.Intersect([Positive], { default: 5 }),
    /** Sign-in attempts per client address and minute, before any password is checked. */
    loginAttemptsPerMin: Type.Intersect([Positive], { default: 30 }),
    /** A user and address pair waits this long after loginMaxFailures wrong passwords (doubling after). */
    loginLockoutSec: Type.Intersect([Positive], { default: 300 }),
    /** Enrollment attempts per client address and minute. */
    enrollAttemptsPerMin: Type.Intersect([Positive], { default: 30 }),
    /** Unauthenticated failures are written to the audit log as one entry per address per window. */
    auditFailureWindowSec: Type.Intersect([Positive], { default: 60 }),
    /** Manifest push: artifacts are fetched and checked against the signed sha256/size within this time… */
    artifactCheckTimeoutMs: Type.Intersect([Positive], { default: 5000 }),
    /** …when their signed size is at most this; larger or unreachable ones are stored as `unverified`. */
    artifactCheckMaxBytes: Type.Intersect([Positive], { default: 256 * 1024 * 1024 }),
    /** `file://` artifact URLs are read only under this directory (never, when unset). */
    artifactFileRoot: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * Artifact URLs are fetched only from public addresses, so a vendor cannot make the hub reach the
     * internal network; these comma-separated host names, addresses and CIDR networks are allowed too
     * (an internal artifact mirror).
     */
    artifactFetchAllow: Type.Optional(Type.String()),
    /** Advisory feeds: per-request timeout, retries (exponential backoff from feedBackoffMs), scheduler tick. */
    feedTimeoutMs: Type.Intersect([Positive], { default: 30_000 }),
    feedRetries: Type.Integer({ minimum: 0, maximum: 10, default: 3 }),
    feedBackoffMs: Type.Intersect([Positive], { default: 1000 }),
    feedTickMs: Type.Intersect([Positive], { default: 30_000 }),
  },
  { additionalProperties: false },
)
export type HubConfig = Readonly<Static<typeof HubConfigSchema>>
export type HubConfigInput = Partial<Static<typeof HubConfigSchema>>

/** Which environment variable sets which field. */
export const ENV_VARS: Record<string, keyof HubConfig> = {
  VIGIL_HTTP_HOST: 'httpHost',
  VIGIL_HTTP_PORT: 'httpPort',
  VIGIL_MQTT_HOST: 'mqttHost',
  VIGIL_MQTT_PORT: 'mqttPort',
  VIGIL_MQTT_TLS_PORT: 'mqttTlsPort',
  VIGIL_MQTT_WS_PATH: 'mqttWsPath',
  VIGIL_TLS_CERT: 'tlsCert',
  VIGIL_TLS_KEY: 'tlsKey',
  VIGIL_MQTT_PUBLIC_URL: 'mqttPublicUrl',
  VIGIL_MQTT_PLAINTEXT: 'mqttPlaintext',
  VIGIL_METRICS_TOKEN: 'metricsToken',
  VIGIL_TRUST_PROXY: 'trustProxy',
  VIGIL_ALLOWED_ORIGINS: 'allowedOrigins',
  VIGIL_HSTS_MAX_AGE_SEC: 'hstsMaxAgeSec',
  VIGIL_MQTT_URL: 'mqttUrl',
  VIGIL_MQTT_USERNAME: 'mqttUsername',
  VIGIL_MQTT_PASSWORD: 'mqttPassword',
  VIGIL_MQTT_SHARE_GROUP: 'mqttShareGroup',
  VIGIL_MQTT_CLIENT_ID: 'mqttClientId',
  VIGIL_MQTT_SESSION_EXPIRY_SEC: 'mqttSessionExpirySec',
  VIGIL_HUB_SLOTS: 'hubSlots',
  VIGIL_HUB_SLOT_INTERVAL_MS: 'hubSlotIntervalMs',
  VIGIL_MQTT_CREDENTIALS: 'mqttCredentials',
  VIGIL_MQTT_DYNSEC_USERNAME: 'mqttDynsecUsername',
  VIGIL_MQTT_DYNSEC_PASSWORD: 'mqttDynsecPassword',
  VIGIL_MQTT_DYNSEC_PASSWORD_FILE: 'mqttDynsecPasswordFile',
  VIGIL_MQTT_DYNSEC_TIMEOUT_MS: 'mqttDynsecTimeoutMs',
  VIGIL_DATA_DIR: 'dataDir',
  VIGIL_DATABASE_URL: 'databaseUrl',
  VIGIL_DATABASE_POOL_SIZE: 'databasePoolSize',
  VIGIL_DATABASE_SSL_CA: 'databaseSslCa',
  VIGIL_DATABASE_SSL_REJECT_UNAUTHORIZED: 'databaseSslRejectUnauthorized',
  VIGIL_ADMIN_PASSWORD: 'adminPassword',
  VIGIL_DASHBOARD_DIR: 'dashboardDir',
  VIGIL_LOG_LEVEL: 'logLevel',
  VIGIL_FLUSH_INTERVAL_MS: 'flushIntervalMs',
  VIGIL_COMMIT_WINDOW_MS: 'commitWindowMs',
  VIGIL_UNSAFE_NO_FSYNC: 'unsafeNoFsync',
  VIGIL_SOCKET_MAX_QUEUED_BYTES: 'socketMaxQueuedBytes',
  VIGIL_MQTT_MAX_PACKET_BYTES: 'maxPacketBytes',
  VIGIL_DEVICE_RATE_PER_SEC: 'deviceRatePerSec',
  VIGIL_DEVICE_RATE_BURST: 'deviceRateBurst',
  VIGIL_DEVICE_BYTES_PER_SEC: 'deviceBytesPerSec',
  VIGIL_DEVICE_BYTES_BURST: 'deviceBytesBurst',
  VIGIL_DEVICE_REPORT_MIN_INTERVAL_SEC: 'deviceReportMinIntervalSec',
  VIGIL_BLOB_SWEEP_INTERVAL_SEC: 'blobSweepIntervalSec',
  VIGIL_BLOB_GRACE_SEC: 'blobGraceSec',
  VIGIL_MQTT_TAKEOVER: 'mqttTakeover',
  VIGIL_AUDIT_RETENTION_SEGMENTS: 'auditRetentionSegments',
  VIGIL_AUDIT_SEGMENT_BYTES: 'auditSegmentBytes',
  VIGIL_LOG_RETENTION_INTERVAL_SEC: 'logRetentionIntervalSec',
  VIGIL_JOB_LEASE_MS: 'jobLeaseMs',
  VIGIL_DRAIN_TIMEOUT_MS: 'drainTimeoutMs',
  VIGIL_COALESCE_MS: 'coalesceMs',
  VIGIL_SESSION_TTL_SEC: 'sessionTtlSec',
  VIGIL_LOGIN_MAX_FAILURES: 'loginMaxFailures',
  VIGIL_ARTIFACT_CHECK_TIMEOUT_MS: 'artifactCheckTimeoutMs',
  VIGIL_ARTIFACT_CHECK_MAX_BYTES: 'artifactCheckMaxBytes',
  VIGIL_ARTIFACT_FILE_ROOT: 'artifactFileRoot',
  VIGIL_ARTIFACT_FETCH_ALLOW: 'artifactFetchAllow',
  VIGIL_LOGIN_LOCKOUT_SEC: 'loginLockoutSec',
  VIGIL_LOGIN_ATTEMPTS_PER_MIN: 'loginAttemptsPerMin',
  VIGIL_ENROLL_ATTEMPTS_PER_MIN: 'enrollAttemptsPerMin',
  VIGIL_AUDIT_FAILURE_WINDOW_SEC: 'auditFailureWindowSec',
  VIGIL_FEED_TIMEOUT_MS: 'feedTimeoutMs',
  VIGIL_FEED_RETRIES: 'feedRetries',
  VIGIL_FEED_BACKOFF_MS: 'feedBackoffMs',
  VIGIL_FEED_TICK_MS: 'feedTickMs',
}

export class ConfigError extends Error {
  readonly code = 'VIGIL_CONFIG_INVALID'
  constructor(readonly problems: string[]) {
    super(`invalid hub configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

const FIELD_TO_ENV = Object.fromEntries(Object.entries(ENV_VARS).map(([env, field]) => [field, env]))

/**
 * Builds the configuration from `env` (default: the process environment) with `overrides` taking
 * precedence. Throws a `ConfigError` listing every problem.
 */
export function loadHubConfig(
  overrides: HubConfigInput = {},
  env: Record<string, string | undefined> = process.env,
): HubConfig {
  const raw: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(ENV_VARS)) {
    const value = env[name]
    if (value !== undefined && value !== '') raw[field] = value
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) raw[key] = value
  const converted = Value.Convert(HubConfigSchema, Value.Default(HubConfigSchema, raw))
  const problems: string[] = []
  const seen = new Set<string>()
  for (const e of Value.Errors(HubConfigSchema, converted)) {
    if (e.keyword === 'boolean') continue
    const field = e.instancePath.replace(/^\//, '')
    const source = FIELD_TO_ENV[field] ? ` (${FIELD_TO_ENV[field]})` : ''
    const extra = (e.params as { additionalProperties?: unknown }).additionalProperties
    const line = `${field || '(root)'}${source}: ${e.message}${Array.isArray(extra) ? `: ${extra.join(', ')}` : ''}`
    if (!seen.has(line)) problems.push(line)
    seen.add(line)
  }
  const config = converted as Static<typeof HubConfigSchema>
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    problems.push('tlsCert (VIGIL_TLS_CERT) and tlsKey (VIGIL_TLS_KEY) must be set together')
  }
  for (const origin of (config.allowedOrigins ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`allowedOrigins (VIGIL_ALLOWED_ORIGINS): ${origin} is not scheme://host[:port]`)
  }
  if (config.mqttCredentials === 'mosquitto-dynsec') {
    const need = (ok: boolean, what: string) => {
      if (!ok) problems.push(`mqttCredentials (VIGIL_MQTT_CREDENTIALS) mosquitto-dynsec needs ${what}`)
    }
    need(config.mqttUrl !== undefined, 'an external broker (VIGIL_MQTT_URL)')
    need(
      config.mqttUsername !== undefined && config.mqttPassword !== undefined,
      "the hub's own MQTT user (VIGIL_MQTT_USERNAME and VIGIL_MQTT_PASSWORD)",
    )
    need(config.mqttDynsecUsername !== undefined, 'the dynsec admin (VIGIL_MQTT_DYNSEC_USERNAME)')
    need(
      (config.mqttDynsecPassword === undefined) !== (config.mqttDynsecPasswordFile === undefined),
      'exactly one of VIGIL_MQTT_DYNSEC_PASSWORD and VIGIL_MQTT_DYNSEC_PASSWORD_FILE',
    )
    need(
      config.mqttDynsecUsername === undefined || config.mqttDynsecUsername !== config.mqttUsername,
      "a dynsec admin other than the hub's own MQTT user",
    )
  }
  const allow = parseFetchAllowList(config.artifactFetchAllow)
  if (!allow.ok)
    problems.push(...allow.problems.map((p) => `artifactFetchAllow (VIGIL_ARTIFACT_FETCH_ALLOW): ${p}`))
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(config)
}
