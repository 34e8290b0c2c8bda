/**
 * The hub's view of MQTT, whichever broker carries it: messages from devices come in through the
 * handlers, commands and fleet messages go out. The embedded broker and the external-broker client
 * both implement it.
 */
import type { InboundMessage, RejectReason } from '../ingest/inbound.js'

export type { InboundMessage }

export interface BusHandlers {
  /**
   * One device message. A promise means "acknowledge (PUBACK) only once it settles"; a rejected one
   * means "not stored": the broker must not acknowledge, so the device sends it again.
   */
  message(msg: InboundMessage): Promise<void> | undefined
  connected?(deviceId: string): void
  disconnected?(deviceId: string): void
  rejected(reason: RejectReason, deviceId: string, message: string): void
  throttled?(deviceId: string): void
  /**
   * A second connection came with the credentials of a connected device: it replaced the first
   * (`refused: false`) or was refused because the setting says so (`refused: true`).
   */
  takeover?(deviceId: string, info: { refused: boolean; address?: string }): void
}

export interface DeviceBus {
  readonly mode: 'embedded' | 'external'
  /** Publishes to a hub topic (command, baseline, manifest). */
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>
  /** Whether the device has a live connection right now (embedded only; external answers undefined). */
  isConnected(deviceId: string): boolean | undefined
  /** Closes the device's connection (after it was disabled or deleted). */
  disconnect(deviceId: string): void
  /** Bound MQTT addresses, e.g. `{ mqtt: 1883, mqtts: 8883 }`. */
  ports(): { mqtt?: number; mqtts?: number }
  close(): Promise<void>
}
