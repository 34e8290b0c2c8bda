/**
 * The MQTT link of a started agent: the last will, the subscriptions (its commands, the fleet baseline),
 * the birth on every connect followed by delivery of what is queued, and inbound messages handed to
 * their handler (ignored while stopping; a command is asked again at the next birth).
 */
import { readFile } from 'node:fs/promises'
import type { DeviceMessageKind, DeviceState } from '@vigil/protocol'
import { topics } from '@vigil/protocol/wire'
import { createLink, type Transport } from '../link/mqtt-link.js'
import { offlineState } from './messages.js'
import type { AgentState } from './state.js'

export interface ConnectDeps {
  topicOf(kind: DeviceMessageKind): string
  birth(): DeviceState
  drain(): Promise<void>
  onMessage(topic: string, payload: Buffer): Promise<void>
  writeStatus(): Promise<void>
  transport?: Transport | undefined
  random?: (() => number) | undefined
}

/** Creates `s.link` (connecting in the background, reconnecting on its own). */
export async function connect(s: AgentState, d: ConnectDeps): Promise<void> {
  const c = s.creds
  if (!c) throw new Error('agent not started')
  const { clock, log, config } = s
  const now = () => clock.now()
  const ca = config.mqttCaFile ? await readFile(config.mqttCaFile, 'utf8') : undefined
  s.link = createLink({
    ...(ca ? { ca } : {}),
    url: c.mqtt.url,
    clientId: c.deviceId,
    username: c.mqtt.username,
    password: c.mqtt.password,
    will: {
      topic: d.topicOf('state'),
      payload: JSON.stringify(offlineState(now(), 'will')),
    },
    reconnect: config.reconnect,
    subscriptions: [topics.command(c.deviceId), topics.baseline()],
    clock,
    ...(d.transport ? { transport: d.transport } : {}),
    ...(d.random ? { random: d.random } : {}),
    onConnect: () => {
      s.status.lastConnectAt = now().toISOString()
      s.status.lastError = null
      log.info(`connected to ${c.mqtt.url} as ${c.deviceId}`)
      const l = s.link
      if (!l) return
      l.publish(d.topicOf('state'), JSON.stringify(d.birth()), { qos: 1, retain: true })
        .then(() => d.drain())
        .catch((err: Error) => log.debug(`birth not delivered: ${err.message}`))
      void d.writeStatus()
    },
    onDisconnect: () => {
      void d.writeStatus()
    },
    onMessage: (topic, payload) => {
      if (s.stopping) return log.debug(`stopping: ${topic} ignored`)
      const run = d
        .onMessage(topic, payload)
        .catch((err: Error) => log.error(`message on ${topic}: ${err.message}`))
        .finally(() => s.inbound.delete(run))
      s.inbound.add(run)
    },
    onError: (message, code) => {
      s.status.lastError = { code, message, at: now().toISOString() }
      log.warn(`link: ${message}`)
    },
    onReconnectScheduled: (ms, attempt) => log.debug(`reconnect attempt ${attempt} in ${ms} ms`),
  })
}
