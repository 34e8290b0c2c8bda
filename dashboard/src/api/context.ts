/** Clinical asset context and SSVC overrides (issue 17): routes of protocol's route map. */
import type { BulkContext, ContextImport, DeviceContext, SsvcOverride } from '@vigil/protocol'
import { call } from './http.js'

export const contextApi = {
  get: (deviceId: string) => call('GET /devices/:id/context', { params: { id: deviceId } }),
  set: (deviceId: string, context: DeviceContext) =>
    call('PATCH /devices/:id', { params: { id: deviceId }, body: { context } }),
  bulk: (body: BulkContext) => call('POST /devices/context/bulk', { body }),
  import: (body: ContextImport) => call('POST /devices/context/import', { body }),
  override: (findingId: string, body: SsvcOverride) =>
    call('POST /findings/:id/ssvc-override', { params: { id: findingId }, body }),
}
