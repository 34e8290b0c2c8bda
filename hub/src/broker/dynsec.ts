/**
 * A client of Mosquitto's dynamic security plugin: JSON commands published to
 * `$CONTROL/dynamic-security/v1`, answers read from `$CONTROL/dynamic-security/v1/response` and matched
 * to their command by `correlationData` (every admin connected to the broker sees every answer). A
 * command not answered in time fails with a `DynsecError`; so does one the plugin answers with `error`.
 */
import { randomBytes } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1'
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`

export type DynsecCommand = { command: string } & Record<string, unknown>

export interface DynsecResponse {
  command: string
  error?: string
  data?: Record<string, unknown>
  correlationData?: string
}

/** A dynsec command that failed: refused by the plugin (`error` set), not answered in time, or not sent. */
export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly reason: 'refused' | 'timeout' | 'disconnected',
    message: string,
  ) {
    super(message)
  }
}

export interface DynsecControl {
  /** Runs commands in order (one control message); resolves with each one's answer, errors included. */
  send(commands: DynsecCommand[]): Promise<DynsecResponse[]>
  /** Runs commands and throws a `DynsecError` for the first one the plugin refused (unless tolerated). */
  run(commands: DynsecCommand[], tolerate?: (r: DynsecResponse) => boolean): Promise<DynsecResponse[]>
  close(): Promise<void>
}

export interface DynsecOptions {
  url: string
  username: string
  password: string
  timeoutMs: number
}

export async function connectDynsec(opts: DynsecOptions): Promise<DynsecControl> {
  const prefix = randomBytes(6).toString('hex')
  const client: MqttClient = mqtt.connect(opts.url, {
    protocolVersion: 5,
    clientId: `vigil-dynsec-${prefix}`,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: opts.timeoutMs,
    username: opts.username,
    password: opts.password,
  })
  const pending = new Map<
    string,
    { resolve: (r: DynsecResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >()
  let seq = 0
  client.on('message', (topic, payload) => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return
    let parsed: { responses?: DynsecResponse[] }
    try {
      parsed = JSON.parse(payload.toString()) as { responses?: DynsecResponse[] }
    } catch {
      return
    }
    for (const r of parsed.responses ?? []) {
      const waiting = r.correlationData === undefined ? undefined : pending.get(r.correlationData)
      if (!waiting) continue
      pending.delete(r.correlationData as string)
      clearTimeout(waiting.timer)
      waiting.resolve(r)
    }
  })
  client.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      client.end(true)
      reject(new Error(`cannot connect to the broker as its dynsec admin (${opts.url}): ${err.message}`))
    }
    client.once('error', fail)
    client.once('connect', () => {
      client.off('error', fail)
      resolve()
    })
  })
  const granted = await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 })
  if ((granted[0]?.qos ?? 128) >= 128) {
    client.end(true)
    throw new Error(
      `the broker refused the dynsec admin's subscription to ${DYNSEC_RESPONSE_TOPIC}: is the dynamic security plugin loaded and the user its admin?`,
    )
  }
  client.on('connect', (connack) => {
    if (!connack.sessionPresent) client.subscribe(DYNSEC_RESPONSE_TOPIC, { qos: 1 })
  })

  const send = async (commands: DynsecCommand[]): Promise<DynsecResponse[]> => {
    const tagged = commands.map((c) => ({ ...c, correlationData: `${prefix}-${++seq}` }))
    const answers = tagged.map(
      (c) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(c.correlationData)
            reject(
              new DynsecError(
                c.command,
                'timeout',
                `the broker's dynamic security plugin did not answer ${c.command} within ${opts.timeoutMs} ms`,
              ),
            )
          }, opts.timeoutMs)
          pending.set(c.correlationData, { resolve, reject, timer })
        }),
    )
    if (!client.connected) {
      for (const c of tagged) {
        const p = pending.get(c.correlationData)
        pending.delete(c.correlationData)
        if (p) clearTimeout(p.timer)
      }
      throw new DynsecError(
        commands[0]?.command ?? '',
        'disconnected',
        'not connected to the broker as its dynsec admin',
      )
    }
    client.publish(DYNSEC_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 })
    return Promise.all(answers)
  }

  return {
    send,
    async run(commands, tolerate = () => false) {
      const responses = await send(commands)
      const failed = responses.find((r) => r.error !== undefined && !tolerate(r))
      if (failed) {
        throw new DynsecError(
          failed.command,
          'refused',
          `the broker's dynamic security plugin refused ${failed.command}: ${failed.error}`,
        )
      }
      return responses
    },
    async close() {
      for (const [id, p] of pending) {
        clearTimeout(p.timer)
        p.reject(new DynsecError('', 'disconnected', 'the dynsec connection was closed'))
        pending.delete(id)
      }
      await client.endAsync()
    },
  }
}
