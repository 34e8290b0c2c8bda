import { ProtocolVersion, Sequenced, ShortText, type Static, Timestamp, Type } from '../schema.js'

export const DeviceEventKind = Type.Union([
  Type.Literal('drift'),
  Type.Literal('baseline-applied'),
  Type.Literal('baseline-rejected'),
  Type.Literal('collector-error'),
  Type.Literal('agent-started'),
  Type.Literal('agent-stopping'),
  Type.Literal('manifest'),
  Type.Literal('info'),
])
export type DeviceEventKind = Static<typeof DeviceEventKind>

/** Something that happened on a device and must not be lost (kept in the agent's outbox until delivered). */
export const DeviceEvent = Type.Object(
  {
    v: ProtocolVersion,
    id: Type.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'unique per device, for de-duplication',
    }),
    ts: Timestamp,
    kind: DeviceEventKind,
    message: ShortText(2048),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    ...Sequenced,
  },
  { $id: 'DeviceEvent', description: 'An event on a device (drift, refused baseline, collector error, …)' },
)
export type DeviceEvent = Static<typeof DeviceEvent>
