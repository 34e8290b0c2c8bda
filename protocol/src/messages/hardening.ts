import {
  ProtocolVersion,
  Sequenced,
  Severity,
  Sha256Hex,
  ShortText,
  type Static,
  Timestamp,
  Type,
} from '../schema.js'

const Path = Type.String({ minLength: 1, maxLength: 1024, pattern: '^/' })
const Pattern = Type.String({ minLength: 1, maxLength: 1024, description: 'ECMAScript regular expression' })

const common = {
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' }),
  title: ShortText(256),
  severity: Severity,
  rationale: Type.Optional(ShortText(2048)),
}

/** One check of a hardening baseline, discriminated by `kind`. */
export const HardeningCheck = Type.Union(
  [
    Type.Object({ ...common, kind: Type.Literal('file-exists'), path: Path }),
    Type.Object({ ...common, kind: Type.Literal('file-absent'), path: Path }),
    Type.Object({
      ...common,
      kind: Type.Literal('file-mode'),
      path: Path,
      maxMode: Type.Optional(
        Type.String({ pattern: '^0?[0-7]{3,4}$', description: 'no permission beyond this octal mode' }),
      ),
      owner: Type.Optional(ShortText(64)),
      group: Type.Optional(ShortText(64)),
    }),
    Type.Object({ ...common, kind: Type.Literal('file-hash'), path: Path, sha256: Type.Optional(Sha256Hex) }),
    Type.Object({
      ...common,
      kind: Type.Literal('file-content'),
      path: Path,
      mustMatch: Type.Optional(Pattern),
      mustNotMatch: Type.Optional(Pattern),
    }),
    Type.Object({
      ...common,
      kind: Type.Literal('config-value'),
      path: Path,
      key: ShortText(128),
      expected: ShortText(256),
      separator: Type.Optional(Type.Union([Type.Literal('space'), Type.Literal('equals')])),
      default: Type.Optional(ShortText(256)),
    }),
    Type.Object({
      ...common,
      kind: Type.Literal('sysctl'),
      key: Type.String({ pattern: '^[a-z0-9_.-]+$' }),
      expected: ShortText(128),
    }),
    Type.Object({
      ...common,
      kind: Type.Literal('listening-ports'),
      allowTcp: Type.Array(Type.Integer({ minimum: 0, maximum: 65535 }), { maxItems: 1024 }),
      allowUdp: Type.Array(Type.Integer({ minimum: 0, maximum: 65535 }), { maxItems: 1024 }),
    }),
    Type.Object({ ...common, kind: Type.Literal('service-running'), service: ShortText(128) }),
    Type.Object({ ...common, kind: Type.Literal('service-not-running'), service: ShortText(128) }),
    Type.Object({
      ...common,
      kind: Type.Literal('uid0-accounts'),
      allow: Type.Array(ShortText(64), { maxItems: 64 }),
    }),
    Type.Object({ ...common, kind: Type.Literal('empty-passwords') }),
  ],
  { $id: 'HardeningCheck' },
)
export type HardeningCheck = Static<typeof HardeningCheck>
export type HardeningCheckKind = HardeningCheck['kind']

/** A hardening baseline: a versioned list of checks. A newer `version` of the same `id` replaces the older. */
export const HardeningBaseline = Type.Object(
  {
    v: ProtocolVersion,
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' }),
    version: Type.Integer({ minimum: 0 }),
    name: ShortText(256),
    checks: Type.Array(HardeningCheck, { minItems: 1, maxItems: 1000 }),
  },
  { $id: 'HardeningBaseline', description: 'Hardening baseline published by the hub (retained)' },
)
export type HardeningBaseline = Static<typeof HardeningBaseline>

/**
 * `fail`: the device breaks the rule. `error`: the check could not run (e.g. permission denied) — shown,
 * never scored as a failure. `not_applicable`: what it checks is not installed (a config-value or
 * file-mode check whose file does not exist: no sshd_config, no SSH server). Added in protocol 1 as an
 * additive value; a hub that predates it refuses a report carrying it.
 */
export const CheckStatus = Type.Union([
  Type.Literal('pass'),
  Type.Literal('fail'),
  Type.Literal('error'),
  Type.Literal('not_applicable'),
])
export type CheckStatus = Static<typeof CheckStatus>

export const CheckResult = Type.Object(
  {
    id: ShortText(128),
    title: ShortText(256),
    severity: Severity,
    status: CheckStatus,
    evidence: ShortText(4096),
  },
  { $id: 'CheckResult' },
)
export type CheckResult = Static<typeof CheckResult>

export const DriftItem = Type.Object(
  {
    id: ShortText(128),
    from: Type.Union([CheckStatus, Type.Null()]),
    to: CheckStatus,
    detail: ShortText(4096),
  },
  { $id: 'DriftItem' },
)
export type DriftItem = Static<typeof DriftItem>

/** Results of running a baseline on a device, with the drift since the previous report. */
export const HardeningReport = Type.Object(
  {
    v: ProtocolVersion,
    ts: Timestamp,
    hash: Sha256Hex,
    baseline: Type.Object({ id: ShortText(128), version: Type.Integer({ minimum: 0 }) }),
    results: Type.Array(CheckResult, { maxItems: 1000 }),
    drift: Type.Array(DriftItem, { maxItems: 1000 }),
    ...Sequenced,
  },
  { $id: 'HardeningReport', description: 'Hardening check results and drift of a device' },
)
export type HardeningReport = Static<typeof HardeningReport>
