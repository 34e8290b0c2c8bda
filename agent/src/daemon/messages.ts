/** The device's own messages, built from plain inputs: events, the birth and the offline states. */
import { randomBytes } from 'node:crypto'
import type {
  DeviceEvent,
  DeviceEventKind,
  DeviceIdentity,
  DeviceState,
  HardeningBaseline,
} from '@vigil/protocol'
import { PROTOCOL_VERSION } from '@vigil/protocol/wire'
import { AGENT_VERSION } from '../version.js'

/** An event with a unique id (`<ms36>-<counter36>-<random>`); the message is cut to 2,048 characters. */
export function deviceEvent(
  now: Date,
  counter: number,
  kind: DeviceEventKind,
  message: string,
  data?: Record<string, unknown>,
): DeviceEvent {
  const ev: DeviceEvent = {
    v: PROTOCOL_VERSION,
    id: `${now.getTime().toString(36)}-${counter.toString(36)}-${randomBytes(4).toString('hex')}`,
    ts: now.toISOString(),
    kind,
    message: message.slice(0, 2048),
  }
  if (data) ev.data = data
  return ev
}

export interface BirthInput {
  now: Date
  baseline: Pick<HardeningBaseline, 'id' | 'version'>
  telemetryIntervalSec: number
  identity?: DeviceIdentity | undefined
  inventoryHash?: string | undefined
  hardeningHash?: string | undefined
  /** Operator root and delegation versions held (the hub sends what is missing). */
  trust?: DeviceState['trust']
}

/** The retained `online` state published on every connect. */
export function birthState(b: BirthInput): DeviceState {
  const s: DeviceState = {
    v: PROTOCOL_VERSION,
    status: 'online',
    ts: b.now.toISOString(),
    agentVersion: AGENT_VERSION,
    baseline: { id: b.baseline.id, version: b.baseline.version },
    telemetryIntervalSec: b.telemetryIntervalSec,
  }
  if (b.identity) s.identity = b.identity
  if (b.inventoryHash) s.inventoryHash = b.inventoryHash
  if (b.hardeningHash) s.hardeningHash = b.hardeningHash
  if (b.trust) s.trust = b.trust
  return s
}

/** The retained `offline` state: the last will, or the orderly shutdown. */
export function offlineState(now: Date, reason: 'will' | 'shutdown'): DeviceState {
  return { v: PROTOCOL_VERSION, status: 'offline', ts: now.toISOString(), reason }
}
