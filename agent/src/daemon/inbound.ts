/**
 * What the agent receives: the fleet baseline (retained) and commands addressed to it. A command that
 * fails validation is answered `BAD_REQUEST` when it carries a usable `tx`, and otherwise dropped.
 */
import type { CommandResponse, DeviceMessageKind } from '@vigil/protocol'
import { parseTopic, validators } from '@vigil/protocol/wire'
import { badRequestResponse, type CommandHandlers, dispatchCommand } from '../commands/dispatch.js'
import type { BaselineSource } from '../hardening/baseline.js'
import type { Logger } from '../logger.js'

const commandValidator = validators.commandRequest

export interface InboundDeps {
  log: Logger
  handlers: CommandHandlers
  applyBaseline(incoming: unknown, source: BaselineSource): Promise<unknown>
  enqueue(kind: Extract<DeviceMessageKind, 'cmd/res'>, payload: CommandResponse): Promise<void>
}

export function createInbound(d: InboundDeps): (topic: string, payload: Buffer) => Promise<void> {
  return async (topic, payload) => {
    const parsed = parseTopic(topic)
    if (parsed?.type === 'baseline') {
      let value: unknown
      try {
        value = JSON.parse(payload.toString('utf8'))
      } catch (err) {
        value = { invalid: (err as Error).message }
      }
      await d.applyBaseline(value, 'hub')
      return
    }
    if (parsed?.type !== 'command') return
    const r = commandValidator.parse(payload, 1_048_576)
    if (!r.ok) {
      d.log.warn(`command refused: ${r.message}`)
      let raw: unknown
      try {
        raw = JSON.parse(payload.toString('utf8'))
      } catch {
        raw = undefined
      }
      const res = badRequestResponse(raw, r.message)
      if (res) await d.enqueue('cmd/res', res)
      return
    }
    d.log.info(`command ${r.value.cmd} (tx ${r.value.tx})`)
    await d.enqueue('cmd/res', await dispatchCommand(d.handlers, r.value))
  }
}
