/**
 * The baseline: a bare aedes broker in its own process, no authentication, with an in-process
 * subscriber that parses each payload as JSON (the least any consumer does), counting messages.
 */
import { createServer } from 'node:net'
import { Aedes } from 'aedes'
import { report, workerMain } from '../lib/proc.ts'

workerMain<{ port?: number }>(async (opts, onStop) => {
  const broker = await Aedes.createBroker()
  let received = 0
  await new Promise<void>((resolve) =>
    broker.subscribe(
      'bench/+/telemetry',
      (packet, cb) => {
        JSON.parse(packet.payload.toString())
        received++
        cb()
      },
      resolve,
    ),
  )
  const server = createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true)
    broker.handle(socket)
  })
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const address = server.address()
  const port = address && typeof address === 'object' ? address.port : 0
  onStop(
    () =>
      new Promise<void>((resolve) => {
        server.close()
        broker.close(() => resolve())
      }),
  )
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') report({ type: 'count', received, at: Date.now() })
  })
  report({ type: 'ready', port, pid: process.pid })
})
