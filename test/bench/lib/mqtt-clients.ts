/** Opening many MQTT device connections from one load process, a bounded number at a time. */
import mqtt, { type MqttClient } from 'mqtt'

export interface ClientSpec {
  id: string
  password?: string
}

export interface ConnectOptions {
  url: string
  concurrency?: number
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean }
  onConnect?: (client: MqttClient, spec: ClientSpec) => void
}

export function connectOne(url: string, spec: ClientSpec, opts: ConnectOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: spec.id,
      ...(spec.password ? { username: spec.id, password: spec.password } : {}),
      protocolVersion: 4,
      clean: true,
      keepalive: 120,
      reconnectPeriod: 0,
      connectTimeout: 60_000,
      ...(opts.will ? { will: opts.will } : {}),
    })
    client.once('connect', () => {
      opts.onConnect?.(client, spec)
      resolve(client)
    })
    client.once('error', (err) => {
      client.end(true)
      reject(new Error(`${spec.id}: ${err.message}`))
    })
  })
}

/** Connects every spec, `concurrency` handshakes in flight; answers the clients in spec order. */
export async function connectAll(specs: ClientSpec[], opts: ConnectOptions): Promise<MqttClient[]> {
  const out: MqttClient[] = new Array(specs.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(opts.concurrency ?? 100, specs.length) }, async () => {
    while (next < specs.length) {
      const i = next++
      const spec = specs[i]
      if (spec) out[i] = await connectOne(opts.url, spec, opts)
    }
  })
  await Promise.all(lanes)
  return out
}

/** Closes every client (forcefully: no waiting for in-flight messages), giving up after `timeoutMs`. */
export async function closeAll(clients: MqttClient[], timeoutMs = 1500): Promise<void> {
  const closing = Promise.all(
    clients.map((c) => new Promise<void>((resolve) => c?.end(true, {}, () => resolve()))),
  )
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, timeoutMs))])
}
