/**
 * What reaches ingest from whichever broker carries MQTT: one device message, and the reasons a device
 * message is refused (by the broker's policy before ingest, or by ingest itself). The broker imports
 * these; ingest never imports the broker.
 */
import type { DeviceMessageKind } from '@vigil/protocol'

export interface InboundMessage {
  deviceId: string
  kind: DeviceMessageKind
  payload: Buffer
}

/** Why a device's connection, subscription or message was refused (the `reason` label of the metric). */
export type RejectReason =
  | 'anonymous'
  | 'client-id'
  | 'unknown-device'
  | 'bad-password'
  | 'disabled'
  | 'foreign-topic'
  | 'unknown-kind'
  | 'retain'
  | 'oversize'
  | 'subscribe'
  | 'json'
  | 'schema'
  | 'size'
