/**
 * The vendor alias table operators edit (issue 5 point 3): the shipped aliases (read-only, from
 * `DEFAULT_VENDOR_ALIASES`) plus the operators' own, one record of the store's `correlation/vendor-aliases`.
 *   GET /api/v1/vendor-aliases   VendorAliasTable {seeded, custom}
 *   PUT /api/v1/vendor-aliases   VendorAliasInput {aliases} → replaces the custom ones, re-runs matching
 * Reads: admin, operator, technician. Writes: admin, operator. Audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, type VendorAlias, VendorAliasInput, VendorAliasTable } from '@vigil/protocol'
import { HubError } from '../../errors.js'
import type { Collection, Store } from '../../store/types.js'
import { createVendorMatcher, DEFAULT_VENDOR_ALIASES, type VendorMatcher } from '../advisories/index.js'
import { basicKey } from '../advisories/vendor.js'

interface AliasRecord {
  id: 'custom'
  aliases: VendorAlias[]
}

export class VendorAliasDb {
  private constructor(
    private readonly store: Store,
    private readonly records: Collection<AliasRecord>,
  ) {}

  static async open(store: Store): Promise<VendorAliasDb> {
    return new VendorAliasDb(store, await store.collection<AliasRecord>('correlation/vendor-aliases'))
  }

  get #custom(): VendorAlias[] {
    return this.records.get('custom')?.aliases ?? []
  }

  custom(): VendorAlias[] {
    return this.#custom
  }

  table(): VendorAliasTable {
    const seeded = Object.entries(DEFAULT_VENDOR_ALIASES).map(([alias, vendor]) => ({ alias, vendor }))
    return { seeded, custom: this.#custom }
  }

  /** The matcher the correlation engine uses: shipped aliases, then the operators'. */
  matcher(): VendorMatcher {
    return createVendorMatcher(Object.fromEntries(this.#custom.map((a) => [a.alias, a.vendor])))
  }

  /** Replaces the operators' aliases; resolves once durable. */
  async replace(aliases: VendorAlias[]): Promise<void> {
    this.records.put({ id: 'custom', aliases })
    await this.store.commit()
  }
}

/** Trims, refuses an alias that normalises to nothing or is given twice; answers the cleaned list. */
export function cleanAliases(aliases: VendorAlias[]): VendorAlias[] {
  const seen = new Set<string>()
  return aliases.map((a, i) => {
    const alias = a.alias.trim()
    const vendor = a.vendor.trim()
    const key = basicKey(alias)
    if (key === '') throw new HubError('VIGIL_BAD_REQUEST', `/aliases/${i}/alias: has no letters or digits`)
    if (basicKey(vendor) === '')
      throw new HubError('VIGIL_BAD_REQUEST', `/aliases/${i}/vendor: has no letters or digits`)
    if (seen.has(key))
      throw new HubError('VIGIL_BAD_REQUEST', `/aliases/${i}/alias: "${alias}" is given twice`)
    seen.add(key)
    return { alias, vendor }
  })
}

export const vendorAliasRoutes =
  (db: VendorAliasDb, apply: (matcher: VendorMatcher) => void): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/vendor-aliases',
      {
        onRequest: app.requireRole('admin', 'operator', 'technician'),
        schema: { response: { 200: VendorAliasTable, 401: ApiError, 403: ApiError } },
      },
      async () => db.table(),
    )
    app.put(
      '/vendor-aliases',
      {
        onRequest: app.requireRole('admin', 'operator'),
        schema: {
          body: VendorAliasInput,
          response: { 200: VendorAliasTable, 400: ApiError, 401: ApiError, 403: ApiError },
        },
      },
      async (req) => {
        const aliases = cleanAliases(req.body.aliases)
        await db.replace(aliases)
        apply(db.matcher())
        app.hub.audit({
          actor: req.user?.username ?? 'unknown',
          action: 'vendor-aliases.replace',
          ok: true,
          detail:
            aliases
              .map((a) => `${a.alias} → ${a.vendor}`)
              .join('; ')
              .slice(0, 2000) || '(none)',
          ip: req.ip,
        })
        return db.table()
      },
    )
  }
