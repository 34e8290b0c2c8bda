/** Device API calls used by the pages: routes of protocol's route map, answers checked against their schemas. */
import type { CommandResponse, DeviceDetail, DeviceEventList, RouteBody } from '@vigil/protocol'
import { call } from './http.js'

export function fetchDevice(id: string, signal?: AbortSignal): Promise<DeviceDetail> {
  return call('GET /devices/:id', { params: { id }, signal })
}

export function fetchDeviceEvents(id: string, limit = 100, signal?: AbortSignal): Promise<DeviceEventList> {
  return call('GET /devices/:id/events', { params: { id }, query: { limit }, signal })
}

export type DeviceCommand = RouteBody<'POST /devices/:id/commands'>['cmd']

/** Sends a command to the device through the hub and waits for its answer. */
export function sendCommand(id: string, cmd: DeviceCommand): Promise<CommandResponse> {
  return call('POST /devices/:id/commands', { params: { id }, body: { cmd } })
}
