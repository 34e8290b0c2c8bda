/**
 * Commands to devices: one envelope `{v, tx, cmd}` on the device's command topic; the answer comes back
 * on `cmd/res` with the same `tx`.
 */
import { randomBytes } from 'node:crypto'
import {
  type CommandRequest,
  type CommandResponse,
  HUB_MESSAGES,
  PROTOCOL_VERSION,
  topics,
} from '@vigil/protocol'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
export type CommandInput = DistributiveOmit<CommandRequest, 'v' | 'tx'>

/** Reports the hub asks for with a command; such a report is accepted inside the minimum interval. */
export type RequestedReport = 'inventory' | 'hardening'
const REQUEST_FOR: Partial<Record<CommandInput['cmd'], RequestedReport>> = {
  'send-inventory': 'inventory',
  'send-hardening': 'hardening',
}
/** An asked-for report is expected within this time. */
const ASK_TTL_MS = 10 * 60_000

/** What commands need of the broker: publishing on a device's command topic (`DeviceBus` provides it). */
export interface CommandBus {
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>
}

export class CommandDispatcher {
  private readonly pending = new Map<string, (res: CommandResponse | undefined) => void>()
  /** `<deviceId> <kind>` → until when the hub expects that report (one entry per device and kind). */
  private readonly asked = new Map<string, number>()

  constructor(private readonly bus: () => CommandBus | undefined) {}

  /** Publishes a command; answers its tx. */
  async send(deviceId: string, input: CommandInput): Promise<string> {
    const bus = this.bus()
    if (!bus) throw new Error('no broker')
    const tx = randomBytes(9).toString('base64url')
    const report = REQUEST_FOR[input.cmd]
    if (report) this.asked.set(`${deviceId} ${report}`, Date.now() + ASK_TTL_MS)
    const request = { ...input, v: PROTOCOL_VERSION, tx } as CommandRequest
    await bus.publish(topics.command(deviceId), JSON.stringify(request), {
      qos: HUB_MESSAGES.command.qos,
      retain: false,
    })
    return tx
  }

  /**
   * Publishes a command; once it is published, answers its tx and the response to come (undefined
   * after `timeoutMs`), so a caller can send the next command without waiting for this one's answer.
   */
  async dispatch(
    deviceId: string,
    input: CommandInput,
    timeoutMs = 10_000,
  ): Promise<{ tx: string; response: Promise<CommandResponse | undefined> }> {
    const tx = await this.send(deviceId, input)
    const response = new Promise<CommandResponse | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(tx)
        resolve(undefined)
      }, timeoutMs)
      this.pending.set(tx, (res) => {
        clearTimeout(timer)
        this.pending.delete(tx)
        resolve(res)
      })
    })
    return { tx, response }
  }

  /** Publishes a command and waits for its response (undefined after `timeoutMs`). */
  async request(
    deviceId: string,
    input: CommandInput,
    timeoutMs = 10_000,
  ): Promise<CommandResponse | undefined> {
    return (await this.dispatch(deviceId, input, timeoutMs)).response
  }

  /** Whether the hub asked `deviceId` for this report (and still expects it); consumes the request. */
  takeRequested(deviceId: string, report: RequestedReport): boolean {
    const key = `${deviceId} ${report}`
    const until = this.asked.get(key)
    if (until === undefined) return false
    this.asked.delete(key)
    return until >= Date.now()
  }

  /** Called by the ingest pipeline for every `cmd/res`. */
  resolve(res: CommandResponse): void {
    this.pending.get(res.tx)?.(res)
  }

  close(): void {
    for (const done of this.pending.values()) done(undefined)
  }
}
