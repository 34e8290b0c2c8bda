/** Listens: builds the app and binds HTTP (the broker bound its own ports while the app was built). */
import type { FastifyInstance } from 'fastify'
import { type BuildOptions, buildApp } from './app.js'
import type { HubConfig } from './config.js'

export interface RunningHub {
  app: FastifyInstance
  /** e.g. http://127.0.0.1:8080 */
  httpUrl: string
  /** e.g. mqtt://127.0.0.1:1883 (the external broker's URL in external mode) */
  mqttUrl: string
  close(): Promise<void>
}

const reachable = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)

export async function startHub(config: HubConfig, opts: BuildOptions = {}): Promise<RunningHub> {
  const app = await buildApp(config, opts)
  try {
    await app.listen({ port: config.httpPort, host: config.httpHost })
  } catch (err) {
    await app.close()
    throw err
  }
  const address = app.server.address()
  const port = address && typeof address === 'object' ? address.port : config.httpPort
  const ports = app.hub.bus?.ports()
  const scheme = config.tlsCert ? 'https' : 'http'
  const mqtt =
    ports?.mqtt === undefined && ports?.mqtts !== undefined
      ? `mqtts://${reachable(config.mqttHost)}:${ports.mqtts}`
      : `mqtt://${reachable(config.mqttHost)}:${ports?.mqtt ?? config.mqttPort}`
  return {
    app,
    httpUrl: `${scheme}://${reachable(config.httpHost)}:${port}`,
    mqttUrl: config.mqttUrl ?? mqtt,
    close: () => app.close(),
  }
}
