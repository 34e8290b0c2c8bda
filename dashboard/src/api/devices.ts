/** Device API calls used by the pages (answers validated against the protocol's schemas). */
import {
  type DeviceDetail as Detail,
  DeviceDetail,
  DeviceEventList,
  type DeviceEventList as Events,
} from '@vigil/protocol'
import { request } from './http.js'

export function fetchDevice(id: string, signal?: AbortSignal): Promise<Detail> {
  return request(`/devices/${encodeURIComponent(id)}`, DeviceDetail, { signal })
}

export function fetchDeviceEvents(id: string, limit = 100, signal?: AbortSignal): Promise<Events> {
  return request(`/devices/${encodeURIComponent(id)}/events?limit=${limit}`, DeviceEventList, { signal })
}
