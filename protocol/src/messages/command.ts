import { ProtocolVersion, Sequenced, ShortText, type Static, Type } from '../schema.js'
import { HardeningBaseline } from './hardening.js'
import { DsseEnvelope } from './manifest.js'

const Tx = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'transaction id echoed in the response',
})

/**
 * A command from the hub to one device (published on the device's own command topic). One envelope
 * for every request, dispatched by `cmd` through a lookup table on the agent.
 */
export const CommandRequest = Type.Union(
  [
    Type.Object({ v: ProtocolVersion, tx: Tx, cmd: Type.Literal('ping') }),
    Type.Object({ v: ProtocolVersion, tx: Tx, cmd: Type.Literal('rescan') }),
    Type.Object({ v: ProtocolVersion, tx: Tx, cmd: Type.Literal('send-inventory') }),
    Type.Object({ v: ProtocolVersion, tx: Tx, cmd: Type.Literal('send-hardening') }),
    Type.Object({
      v: ProtocolVersion,
      tx: Tx,
      cmd: Type.Literal('apply-baseline'),
      baseline: HardeningBaseline,
    }),
    Type.Object({
      v: ProtocolVersion,
      tx: Tx,
      cmd: Type.Literal('install-manifest'),
      manifestId: ShortText(128),
      envelope: DsseEnvelope,
    }),
    Type.Object({
      v: ProtocolVersion,
      tx: Tx,
      cmd: Type.Literal('apply-key-rotation'),
      /** A vendor's key rotation statement, signed by its current keys (the agent verifies it). */
      envelope: DsseEnvelope,
    }),
    Type.Object({
      v: ProtocolVersion,
      tx: Tx,
      cmd: Type.Literal('apply-trust'),
      /** The operator root chain (oldest first) and delegations; the agent verifies every one itself. */
      roots: Type.Array(DsseEnvelope, { maxItems: 64 }),
      delegations: Type.Array(DsseEnvelope, { maxItems: 64 }),
    }),
  ],
  { $id: 'CommandRequest', description: 'Command from the hub to a device' },
)
export type CommandRequest = Static<typeof CommandRequest>
export type CommandName = CommandRequest['cmd']

export const ErrorBody = Type.Object(
  { code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,63}$' }), message: ShortText(2048) },
  { $id: 'ErrorBody' },
)
export type ErrorBody = Static<typeof ErrorBody>

/** The device's answer to a command: `{status:"ok",data}` or `{status:"error",error}`, same `tx`. */
export const CommandResponse = Type.Union(
  [
    Type.Object({
      v: ProtocolVersion,
      tx: Tx,
      status: Type.Literal('ok'),
      data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      ...Sequenced,
    }),
    Type.Object({
      v: ProtocolVersion,
      tx: Tx,
      status: Type.Literal('error'),
      error: ErrorBody,
      ...Sequenced,
    }),
  ],
  { $id: 'CommandResponse', description: 'Response of a device to a command' },
)
export type CommandResponse = Static<typeof CommandResponse>
