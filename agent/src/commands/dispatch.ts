/**
 * Hub → device commands: one lookup table, one try/catch, one response envelope with the same `tx`.
 */
import type { CommandRequest, CommandResponse, ErrorBody } from '@vigil/protocol'
import { PROTOCOL_VERSION } from '@vigil/protocol/wire'

export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export type CommandHandlers = {
  [K in CommandRequest['cmd']]: (
    req: Extract<CommandRequest, { cmd: K }>,
  ) => Promise<Record<string, unknown> | undefined>
}

export async function dispatchCommand(
  handlers: CommandHandlers,
  req: CommandRequest,
): Promise<CommandResponse> {
  try {
    const handler = handlers[req.cmd] as (r: CommandRequest) => Promise<Record<string, unknown> | undefined>
    const data = await handler(req)
    return data === undefined
      ? { v: PROTOCOL_VERSION, tx: req.tx, status: 'ok' }
      : { v: PROTOCOL_VERSION, tx: req.tx, status: 'ok', data }
  } catch (err) {
    const error: ErrorBody =
      err instanceof CommandError
        ? { code: err.code, message: err.message.slice(0, 2048) }
        : { code: 'INTERNAL', message: ((err as Error).message ?? String(err)).slice(0, 2048) }
    return { v: PROTOCOL_VERSION, tx: req.tx, status: 'error', error }
  }
}

/** A request that failed validation still deserves an answer when its `tx` can be read. */
export function badRequestResponse(raw: unknown, message: string): CommandResponse | undefined {
  const tx = (raw as { tx?: unknown } | null)?.tx
  if (typeof tx !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(tx)) return undefined
  return {
    v: PROTOCOL_VERSION,
    tx,
    status: 'error',
    error: { code: 'BAD_REQUEST', message: message.slice(0, 2048) },
  }
}
