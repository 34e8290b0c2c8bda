/** Device API calls used by the pages (answers validated against the protocol's schemas). */
import {
  type CommandResponse,
  CommandResponse as CommandResponseSchema,
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

export type DeviceCommand = 'ping' | 'rescan' | 'send-inventory' | 'send-hardening'

/** Sends a command to the device through the hub and waits for its answer. */
export function sendCommand(id: string, cmd: DeviceCommand): Promise<CommandResponse> {
  return request(`/devices/${encodeURIComponent(id)}/commands`, CommandResponseSchema, {
    method: 'POST',
    body: { cmd },
  })
}
