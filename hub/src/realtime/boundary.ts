/**
 * The one error boundary of the live stream. Every client event goes through `guard`: its argument is
 * checked against the event's schema in `@vigil/protocol` (compiled validator) before the handler runs,
 * and nothing the handler throws escapes: a bad or failing message is logged, counted
 * (`vigil_realtime_rejected_total{event,reason}`), dropped, and its ack (if the client asked for one)
 * answered with a coded error. Events not in the contract are counted and dropped the same way.
 */
import { ClientEventArgs, type ClientEventName, compile, type Validator } from '@vigil/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { Counter, type Registry } from 'prom-client'
import type { Socket } from 'socket.io'

type AckError = { ok: false; error: { code: string; message: string } }
type AnyAck = (result: unknown) => void
export type Reply = (result: { ok: true; data: unknown } | AckError) => void

export type Handler = (socket: Socket, arg: string, reply: Reply) => void | Promise<void>

const validators = Object.fromEntries(
  Object.entries(ClientEventArgs).map(([name, schema]) => [name, compile(schema)]),
) as Record<ClientEventName, Validator<(typeof ClientEventArgs)[ClientEventName]>>

const isKnown = (name: unknown): name is ClientEventName =>
  typeof name === 'string' && Object.hasOwn(ClientEventArgs, name)

export interface Boundary {
  /** Installs the handlers of every contract event on a newly connected socket. */
  attach(socket: Socket): void
  /** How many client messages were refused so far (for tests and /metrics). */
  readonly refused: () => number
}

export function createBoundary(deps: {
  log: FastifyBaseLogger
  registry: Registry
  handlers: Record<ClientEventName, Handler>
}): Boundary {
  let refusedCount = 0
  const counter = new Counter({
    name: 'vigil_realtime_rejected_total',
    help: 'socket.io client messages refused (bad arguments, unknown event, handler failure)',
    labelNames: ['event', 'reason'] as const,
    registers: [deps.registry],
  })
  const refuse = (
    socket: Socket,
    event: string,
    reason: 'schema' | 'unknown-event' | 'handler',
    ack: AnyAck | undefined,
    detail: { code: string; message: string; err?: unknown },
  ) => {
    refusedCount++
    counter.inc({ event: isKnown(event) ? event : 'unknown', reason })
    const fields = {
      socket: socket.id,
      user: socket.data?.username,
      event: String(event).slice(0, 64),
      reason,
    }
    if (reason === 'handler') deps.log.error({ ...fields, err: detail.err }, 'live stream handler failed')
    else deps.log.warn(fields, `live stream message refused: ${detail.message}`)
    if (ack) safeAck(ack, { ok: false, error: { code: detail.code, message: detail.message } })
  }

  const safeAck = (ack: AnyAck, result: unknown) => {
    try {
      ack(result)
    } catch (err) {
      deps.log.warn({ err }, 'live stream ack failed')
    }
  }

  return {
    refused: () => refusedCount,
    attach(socket) {
      // Anything outside the contract (onAny runs for every event; contract events are handled below).
      socket.onAny((event: unknown, ...args: unknown[]) => {
        if (isKnown(event)) return
        const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as AnyAck) : undefined
        refuse(socket, typeof event === 'string' ? event : '?', 'unknown-event', ack, {
          code: 'VIGIL_BAD_REQUEST',
          message: 'unknown event',
        })
      })
      for (const name of Object.keys(ClientEventArgs) as ClientEventName[]) {
        const validator = validators[name]
        const handler = deps.handlers[name]
        socket.on(name, (...args: unknown[]) => {
          const ack = typeof args.at(-1) === 'function' ? (args.pop() as AnyAck) : undefined
          const arg = args[0]
          if (args.length !== 1 || !validator.check(arg)) {
            refuse(socket, name, 'schema', ack, {
              code: 'VIGIL_BAD_REQUEST',
              message: `${name} takes one argument, a device id`,
            })
            return
          }
          const reply: Reply = (result) => {
            if (ack) safeAck(ack, result)
          }
          const fail = (err: unknown) =>
            refuse(socket, name, 'handler', ack, { code: 'VIGIL_INTERNAL', message: 'internal error', err })
          try {
            const done = handler(socket, arg, reply)
            if (done instanceof Promise) done.catch(fail)
          } catch (err) {
            fail(err)
          }
        })
      }
    },
  }
}
