/** Settings API calls: vendors and their keys, the fleet hardening baseline, the vendor alias table. */
import type { RouteBody, VendorAlias } from '@vigil/protocol'
import { call } from './http.js'

export const settingsApi = {
  vendors: () => call('GET /vendors'),
  createVendor: (body: RouteBody<'POST /vendors'>) => call('POST /vendors', { body }),
  setThreshold: (id: string, threshold: number) =>
    call('PATCH /vendors/:id', { params: { id }, body: { threshold } }),
  addKey: (id: string, publicKeyPem: string) =>
    call('POST /vendors/:id/keys', { params: { id }, body: { publicKeyPem } }),
  revokeKey: (id: string, keyid: string) =>
    call('POST /vendors/:id/keys/:keyid/revoke', { params: { id, keyid } }),
  baselines: () => call('GET /baselines'),
  /** The body is the operator's text as parsed, sent unchanged: the hub validates it and names the offending field. */
  putBaseline: (body: unknown) => call('PUT /baselines', { body: body as RouteBody<'PUT /baselines'> }),
  aliases: () => call('GET /vendor-aliases'),
  putAliases: (aliases: VendorAlias[]) => call('PUT /vendor-aliases', { body: { aliases } }),
}
