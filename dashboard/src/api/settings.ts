/** Settings API calls: vendors and their keys, the fleet hardening baseline, the vendor alias table. */
import {
  BaselineState,
  type VendorAlias,
  VendorAliasTable,
  VendorCreated,
  VendorInfo,
  VendorKeyAdded,
  VendorList,
} from '@vigil/protocol'
import { request } from './http.js'

const vendor = (id: string) => `/vendors/${encodeURIComponent(id)}`

export const settingsApi = {
  vendors: () => request('/vendors', VendorList),
  createVendor: (body: { name: string; threshold?: number }) =>
    request('/vendors', VendorCreated, { method: 'POST', body }),
  setThreshold: (id: string, threshold: number) =>
    request(vendor(id), VendorInfo, { method: 'PATCH', body: { threshold } }),
  addKey: (id: string, publicKeyPem: string) =>
    request(`${vendor(id)}/keys`, VendorKeyAdded, { method: 'POST', body: { publicKeyPem } }),
  revokeKey: (id: string, keyid: string) =>
    request(`${vendor(id)}/keys/${encodeURIComponent(keyid)}/revoke`, VendorInfo, { method: 'POST' }),
  baselines: () => request('/baselines', BaselineState),
  /** The body is sent as parsed; the hub validates it and names the offending field. */
  putBaseline: (body: unknown) => request('/baselines', BaselineState, { method: 'PUT', body }),
  aliases: () => request('/vendor-aliases', VendorAliasTable),
  putAliases: (aliases: VendorAlias[]) =>
    request('/vendor-aliases', VendorAliasTable, { method: 'PUT', body: { aliases } }),
}
