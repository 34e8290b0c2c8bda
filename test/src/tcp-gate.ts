/**
 * A TCP forwarder in front of a real server that the test opens and shuts: while shut, connections are
 * refused at once (the client sees a closed socket and retries with its backoff). Lets a test register
 * its observers on a restarted hub before any device reaches it. Stopped when the test ends.
 */
import { createConnection, createServer, type Socket } from 'node:net'
import { onTestFinished } from 'vitest'

export interface TcpGate {
  /** the gate's own port on 127.0.0.1 */
  readonly port: number
  open(): void
  /** Refuses new connections and cuts the open ones. */
  shut(): void
}

export async function tcpGate(target: () => number): Promise<TcpGate> {
  let open = false
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    if (!open) {
      client.destroy()
      return
    }
    const upstream = createConnection({ host: '127.0.0.1', port: target() })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  )
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    open: () => {
      open = true
    },
    shut: () => {
      open = false
      for (const s of sockets) s.destroy()
    },
  }
}
