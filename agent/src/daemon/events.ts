/** The device's events (drift, baseline applied or refused, collector errors, start), through the outbox. */
import type { DeviceEventKind, DeviceMessageKind } from '@vigil/protocol'
import { deviceEvent } from './messages.js'
import type { AgentState } from './state.js'

export type Enqueue = (kind: Exclude<DeviceMessageKind, 'telemetry'>, payload: object) => Promise<void>
export type Emit = (kind: DeviceEventKind, message: string, data?: Record<string, unknown>) => Promise<void>

export function createEmit(s: AgentState, enqueue: Enqueue): Emit {
  return (kind, message, data) =>
    enqueue('event', deviceEvent(s.clock.now(), s.eventCounter++, kind, message, data))
}
