/**
 * Device-fleet process: opens authenticated device connections the way the agent does (clientId =
 * username = device id, retained last will, retained QoS 1 birth with identity and inventory hash), and
 * answers the hub's `send-inventory` command with the device's image. Optionally reports telemetry.
 */
import { type CommandRequest, compile, DEVICE_MESSAGES, topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { buildImages, identityOf } from '../lib/images.ts'
import { type ClientSpec, closeAll, connectOne } from '../lib/mqtt-clients.ts'
import { birth, telemetry, will } from '../lib/payloads.ts'
import { report, workerMain } from '../lib/proc.ts'

interface Options {
  url: string
  devices: (ClientSpec & { n: number })[]
  images: number
  concurrency: number
  answerCommands: boolean
  telemetryEverySec?: number
}

const parseCommand = compile(DEVICE_MESSAGES['cmd/res'].schema)

workerMain<Options>(async (opts, onStop) => {
  const images = buildImages(opts.images)
  const clients: MqttClient[] = []
  const timers: NodeJS.Timeout[] = []
  onStop(async () => {
    for (const t of timers) clearInterval(t)
    await closeAll(clients)
  })
  let connected = 0
  let inventoriesSent = 0
  let failed = 0
  const started = performance.now()
  let next = 0
  const lanes = Array.from({ length: Math.min(opts.concurrency, opts.devices.length) }, async () => {
    while (next < opts.devices.length) {
      const d = opts.devices[next++]
      if (!d) continue
      const image = images[d.n % images.length]
      const w = {
        topic: topics.device(d.id, 'state'),
        payload: JSON.stringify(will()),
        qos: 1,
        retain: true,
      } as const
      try {
        const c = await connectOne(opts.url, d, {
          url: opts.url,
          will: w,
          onConnect(client) {
            if (opts.answerCommands) client.subscribe(topics.command(d.id), { qos: 1 })
            client.publish(
              topics.device(d.id, 'state'),
              JSON.stringify(birth(identityOf(d.n, opts.images), image?.hash)),
              { qos: 1, retain: true },
            )
          },
        })
        clients.push(c)
        connected++
        if (opts.answerCommands) {
          c.on('message', (_topic, payload) => {
            const cmd = JSON.parse(payload.toString()) as CommandRequest
            if (cmd.cmd === 'send-inventory' && image) {
              inventoriesSent++
              c.publish(
                topics.device(d.id, 'inventory'),
                JSON.stringify({ ...image, ts: new Date().toISOString() }),
                {
                  qos: 1,
                },
              )
            }
            const res = { v: 1, tx: cmd.tx, status: 'ok' }
            if (parseCommand.check(res))
              c.publish(topics.device(d.id, 'cmd/res'), JSON.stringify(res), { qos: 1 })
          })
        }
        if (opts.telemetryEverySec) {
          const every = opts.telemetryEverySec * 1000
          setTimeout(() => {
            timers.push(
              setInterval(
                () => c.publish(topics.device(d.id, 'telemetry'), JSON.stringify(telemetry())),
                every,
              ),
            )
          }, Math.random() * every)
        }
      } catch {
        failed++
      }
    }
  })
  const progress = setInterval(() => report({ type: 'progress', connected, failed, inventoriesSent }), 500)
  timers.push(progress)
  await Promise.all(lanes)
  report({ type: 'connected', connected, failed, seconds: (performance.now() - started) / 1000 })
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') report({ type: 'count', connected, failed, inventoriesSent })
  })
})
