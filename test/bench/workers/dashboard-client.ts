/**
 * A dashboard client (socket.io, authenticated with the session token) that subscribes to probe devices
 * and measures, for every `device:telemetry` event, the time since the agent stamped the sample (`ts` is
 * set at publish time by the load process; same machine, same clock).
 */
import type { ClientToServerEvents, ServerToClientEvents } from '@vigil/protocol'
import { io, type Socket } from 'socket.io-client'
import { report, workerMain } from '../lib/proc.ts'
import { percentile, sortNumbers } from '../lib/stats.ts'

interface Options {
  url: string
  token: string
  probes: string[]
}

workerMain<Options>(async (opts, onStop) => {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(opts.url, {
    auth: { token: opts.token },
    transports: ['websocket'],
    reconnection: false,
  })
  onStop(() => {
    socket.close()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  for (const id of opts.probes) {
    await new Promise<void>((resolve, reject) =>
      socket.emit('device:subscribe', id, (r) => (r.ok ? resolve() : reject(new Error(r.error.message)))),
    )
  }
  let latencies: number[] = []
  let deltas = 0
  socket.on('device:telemetry', ({ telemetry }) => {
    latencies.push(Date.now() - Date.parse(telemetry.ts))
  })
  socket.on('fleet:delta', () => {
    deltas++
  })
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mark') {
      latencies = []
      deltas = 0
    } else if (m.type === 'collect') {
      const s = sortNumbers(latencies)
      report({
        type: 'latency',
        samples: s.length,
        p50: percentile(s, 50),
        p90: percentile(s, 90),
        p99: percentile(s, 99),
        max: s[s.length - 1] ?? Number.NaN,
        deltas,
      })
    }
  })
  report({ type: 'ready' })
})
