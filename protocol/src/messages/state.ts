import { ProtocolVersion, Sequenced, Sha256Hex, ShortText, type Static, Timestamp, Type } from '../schema.js'
import { DeviceIdentity } from './identity.js'
import { TrustHeld } from './trust-root.js'

/**
 * Birth and death of a device. Published retained on every connect (`online`, with the hashes of the
 * last inventory and hardening report so a hub that lost data can ask again) and set as the retained
 * last will (`offline`) so a dead agent is told apart from a quiet one.
 */
export const DeviceState = Type.Object(
  {
    v: ProtocolVersion,
    status: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    ts: Timestamp,
    reason: Type.Optional(
      Type.Union([Type.Literal('will'), Type.Literal('shutdown')], {
        description: 'why the device went offline: lost link (last will) or orderly shutdown',
      }),
    ),
    agentVersion: Type.Optional(ShortText(64)),
    identity: Type.Optional(DeviceIdentity),
    inventoryHash: Type.Optional(Sha256Hex),
    hardeningHash: Type.Optional(Sha256Hex),
    baseline: Type.Optional(Type.Object({ id: ShortText(128), version: Type.Integer({ minimum: 0 }) })),
    telemetryIntervalSec: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    trust: Type.Optional(TrustHeld),
    ...Sequenced,
  },
  { $id: 'DeviceState', description: 'Birth (online) or last will / shutdown (offline) of a device' },
)
export type DeviceState = Static<typeof DeviceState>
