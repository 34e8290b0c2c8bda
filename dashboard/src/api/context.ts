/** Clinical asset context and SSVC overrides (issue 17): routes of protocol's route map. */
import type { BulkContext, ContextImport, DeviceContext, SsvcOverride } from '@vigil/protocol'
import { ifMatchHeaders } from '../lib/conflict.js'
import { call } from './http.js'

export const contextApi = {
  get: (deviceId: string) => call('GET /devices/:id/context', { params: { id: deviceId } }),
  /** With the device's version the form was read at: a device changed meanwhile is refused (409). */
  set: (deviceId: string, context: DeviceContext, version?: number) =>
    call('PATCH /devices/:id', { params: { id: deviceId }, body: { context }, ...ifMatchHeaders(version) }),
  bulk: (body: BulkContext) => call('POST /devices/context/bulk', { body }),
  /** `versions` (device id → the version shown): a device changed meanwhile refuses the import (409). */
  import: (body: ContextImport) => call('POST /devices/context/import', { body }),
  /** With the finding's version the panel shows: a finding changed meanwhile is refused (409). */
  override: (findingId: string, body: SsvcOverride, version?: number) =>
    call('POST /findings/:id/ssvc-override', { params: { id: findingId }, body, ...ifMatchHeaders(version) }),
}
