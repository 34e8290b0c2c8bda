/**
 * Schema helpers shared by every message definition. TypeBox builds JSON Schema objects whose static
 * types are derived with `Static`, so a wire shape is written once.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { PROTOCOL_VERSION } from './constants.js'

export type { Static, TSchema }
export { Type }

/** RFC 3339 timestamp, as produced by `Date.prototype.toISOString()`. */
export const Timestamp = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: 'RFC 3339 timestamp (UTC)',
})

/** Device ids are issued by the hub at enrollment: url-safe, no MQTT wildcard or level separator. */
export const DeviceId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'device id issued at enrollment',
})

/** Lowercase hex SHA-256. */
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' })

/** A short human-readable string from a device or an advisory (always rendered as text). */
export const ShortText = (maxLength = 256) => Type.String({ maxLength })

export const Severity = Type.Union(
  [
    Type.Literal('none'),
    Type.Literal('low'),
    Type.Literal('medium'),
    Type.Literal('high'),
    Type.Literal('critical'),
  ],
  { description: 'qualitative severity (CVSS v3/v4 bands)' },
)
export type Severity = Static<typeof Severity>

export { PROTOCOL_VERSION }
export const ProtocolVersion = Type.Literal(PROTOCOL_VERSION)

/**
 * Per-device sequence of a message the agent delivers through its durable outbox: strictly increasing
 * within one `epoch` (across agent restarts; gaps allowed). The hub applies a sequenced message only if
 * its epoch differs from the device's last one or its `seq` is greater than the last applied.
 */
export const DeviceSeq = Type.Integer({
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'per-device delivery sequence, strictly increasing within its epoch',
})

/** Random id of an agent's state directory, made once when it is first initialised (a wiped one gets a new one). */
export const DeviceEpoch = Type.String({
  pattern: '^[A-Za-z0-9_-]{8,64}$',
  description: "id of the agent's outbox sequence (new when its state directory is new)",
})

/** The optional sequence fields every outbox-delivered device message carries (both or neither). */
export const Sequenced = {
  seq: Type.Optional(DeviceSeq),
  epoch: Type.Optional(DeviceEpoch),
}
