/** A real aedes broker on an ephemeral port with per-device credentials, recording what devices publish. */
import { createServer, type Server } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { Aedes } from 'aedes'

export interface Published {
  topic: string
  payload: string
  retain: boolean
  qos: number
  clientId: string
}

export interface TestBroker {
  url: string
  port: number
  broker: Aedes
  published: Published[]
  connects: { clientId: string; ok: boolean }[]
  /** cuts every client's TCP connection (no DISCONNECT packet: the will fires) */
  dropClients(): void
  /** messages of one kind from devices, parsed */
  of(kind: string): unknown[]
  close(): Promise<void>
}

export async function startBroker(opts: {
  tls?: { key: string; cert: string }
  credentials: Map<string, string>
  port?: number
  published?: Published[]
}): Promise<TestBroker> {
  const broker = await Aedes.createBroker()
  const published: Published[] = opts.published ?? []
  const connects: TestBroker['connects'] = []
  broker.authenticate = (client, username, password, done) => {
    const ok =
      username !== undefined &&
      opts.credentials.get(username) === password?.toString() &&
      client.id === username
    connects.push({ clientId: client.id, ok })
    if (ok) done(null, true)
    else done(Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), false)
  }
  broker.on('publish', (packet, client) => {
    if (!client) return
    published.push({
      topic: packet.topic,
      payload: packet.payload.toString(),
      retain: packet.retain,
      qos: packet.qos,
      clientId: client.id,
    })
  })
  const server: Server = opts.tls ? createTlsServer(opts.tls, broker.handle) : createServer(broker.handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    broker,
    published,
    connects,
    dropClients() {
      const clients = (broker as unknown as { clients: Record<string, { conn: { destroy(): void } }> })
        .clients
      for (const c of Object.values(clients)) c.conn.destroy()
    },
    of: (kind) => published.filter((p) => p.topic.endsWith(`/${kind}`)).map((p) => JSON.parse(p.payload)),
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
