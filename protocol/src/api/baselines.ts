import { HardeningBaseline } from '../messages/hardening.js'
import { type Static, Type } from '../schema.js'

/** One published fleet baseline, newest first in `BaselineState.history`. */
export const BaselineHistoryEntry = Type.Object(
  {
    id: Type.String(),
    version: Type.Integer(),
    name: Type.String(),
    checks: Type.Integer({ description: 'number of checks' }),
    publishedAt: Type.String(),
    publishedBy: Type.String(),
  },
  { $id: 'BaselineHistoryEntry' },
)
export type BaselineHistoryEntry = Static<typeof BaselineHistoryEntry>

/** `GET /api/v1/baselines`: the fleet baseline the hub publishes (null until one is uploaded) and its history. */
export const BaselineState = Type.Object(
  {
    current: Type.Union([HardeningBaseline, Type.Null()]),
    history: Type.Array(BaselineHistoryEntry),
  },
  { $id: 'BaselineState' },
)
export type BaselineState = Static<typeof BaselineState>

/**
 * `PUT /api/v1/baselines` body: a `HardeningBaseline`. The route declares this schema; a body it
 * refuses is answered 400 and audited with its reason (the hub then checks what a schema cannot say:
 * patterns compile, check ids are unique).
 */
export const BaselineUpload = HardeningBaseline
export type BaselineUpload = Static<typeof BaselineUpload>

/** One operator-defined vendor alias: a written form and the vendor it stands for. */
export const VendorAlias = Type.Object(
  {
    alias: Type.String({ minLength: 1, maxLength: 256 }),
    vendor: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { $id: 'VendorAlias' },
)
export type VendorAlias = Static<typeof VendorAlias>

/** `GET /api/v1/vendor-aliases`: the shipped aliases (read-only) and the operators' ones. */
export const VendorAliasTable = Type.Object(
  {
    seeded: Type.Array(VendorAlias),
    custom: Type.Array(VendorAlias),
  },
  { $id: 'VendorAliasTable' },
)
export type VendorAliasTable = Static<typeof VendorAliasTable>

/** `PUT /api/v1/vendor-aliases`: replaces the operators' aliases. */
export const VendorAliasInput = Type.Object(
  { aliases: Type.Array(VendorAlias, { maxItems: 1000 }) },
  { $id: 'VendorAliasInput', additionalProperties: false },
)
export type VendorAliasInput = Static<typeof VendorAliasInput>
