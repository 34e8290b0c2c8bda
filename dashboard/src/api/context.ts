/** Clinical asset context and SSVC overrides (issue 17); answers validated against the protocol's schemas. */
import {
  type BulkContext,
  BulkContextResult,
  type ContextImport,
  ContextImportResult,
  type DeviceContext,
  DeviceContextView,
  DeviceSummary,
  FindingView,
  type SsvcOverride,
} from '@vigil/protocol'
import { request } from './http.js'

const enc = encodeURIComponent

export const contextApi = {
  get: (deviceId: string) => request(`/devices/${enc(deviceId)}/context`, DeviceContextView),
  set: (deviceId: string, context: DeviceContext) =>
    request(`/devices/${enc(deviceId)}`, DeviceSummary, { method: 'PATCH', body: { context } }),
  bulk: (body: BulkContext) => request('/devices/context/bulk', BulkContextResult, { method: 'POST', body }),
  import: (body: ContextImport) =>
    request('/devices/context/import', ContextImportResult, { method: 'POST', body }),
  override: (findingId: string, body: SsvcOverride) =>
    request(`/findings/${enc(findingId)}/ssvc-override`, FindingView, { method: 'POST', body }),
}
