/**
 * Broker plugin: starts the embedded broker (or connects to the external one) and feeds the ingest
 * pipeline. Stopped by the core plugin's onClose (before the store is flushed).
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import fp from 'fastify-plugin'
import { Gauge } from 'prom-client'
import type { HubConfig } from '../config.js'
import { createIngest } from '../ingest/pipeline.js'
import type { BusHandlers } from './bus.js'
import { connectDynsec } from './dynsec.js'
import { dynsecCredentials, setupDynsec } from './dynsec-credentials.js'
import { startEmbeddedBroker } from './embedded.js'
import { connectExternalBroker } from './external.js'

/**
 * The hub's MQTT client id on an external broker: configured, or this machine's host name and a short
 * hash of the data directory, so a restarted hub resumes its own session and two hubs on one machine
 * do not take each other's.
 */
export function hubClientId(config: Pick<HubConfig, 'mqttClientId' | 'dataDir'>, host = hostname()): string {
  if (config.mqttClientId) return config.mqttClientId
  const dir = createHash('sha256').update(resolve(config.dataDir)).digest('hex').slice(0, 8)
  return `vigil-hub-${host.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64)}-${dir}`
}

async function dynsecPassword(config: HubConfig): Promise<string> {
  if (config.mqttDynsecPassword) return config.mqttDynsecPassword
  const file = config.mqttDynsecPasswordFile as string
  const first = (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? ''
  if (!first) throw new Error(`the dynsec admin password file ${file} is empty`)
  return first
}

export const brokerPlugin = fp(
  async (app) => {
    const hub = app.hub
    const { config, metrics, registry } = hub
    const external = config.mqttUrl !== undefined
    const ingest = createIngest({
      store: hub.store,
      registry,
      telemetry: hub.telemetry,
      events: hub.events,
      metrics,
      hooks: hub.hooks,
      commands: hub.commands,
      log: app.log,
      isConnected: (id) => hub.bus?.isConnected(id),
      adoptUnknownDevices: external,
      reportMinIntervalMs: config.deviceReportMinIntervalSec * 1000,
      blobs: hub.blobs,
    })
    const handlers: BusHandlers = {
      message: ingest,
      rejected(reason, deviceId, message) {
        metrics.rejected.inc({ reason, device: deviceId })
        app.log.warn({ deviceId, reason }, `broker refused: ${message}`)
      },
      throttled(deviceId) {
        metrics.throttled.inc({ device: deviceId })
      },
      takeover(deviceId, { refused, address }) {
        metrics.takeovers.inc({ device: deviceId, outcome: refused ? 'refused' : 'taken-over' })
        const what = refused
          ? 'a second connection with its credentials was refused (the device is connected)'
          : 'a second connection with its credentials replaced the connected session'
        app.log.warn({ deviceId, address, refused }, `device session take-over: ${what}`)
        hub.audit({
          actor: `device:${deviceId}`,
          action: refused ? 'device.takeover-refused' : 'device.takeover',
          target: deviceId,
          ok: !refused,
          ...(address ? { ip: address } : {}),
        })
        const d = registry.get(deviceId)
        if (!d) return
        const ts = new Date().toISOString()
        const updated =
          registry.update(deviceId, { takeovers: (d.takeovers ?? 0) + 1, lastTakeoverAt: ts }) ?? d
        hub.store.commit().catch((err: unknown) => app.log.warn({ err, deviceId }, 'take-over not stored'))
        hub.events.emit('feed', {
          id: `${deviceId}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
          ts,
          deviceId,
          deviceName: updated.name,
          kind: 'device-takeover',
          message: `${updated.name}: ${what}${address ? ` (from ${address})` : ''}`,
        })
      },
      connected(deviceId) {
        metrics.connectedDevices.inc()
        const d = registry.get(deviceId)
        if (d && !d.online) registry.update(deviceId, { online: true, lastSeen: new Date().toISOString() })
      },
      disconnected(deviceId) {
        metrics.connectedDevices.dec()
        const d = registry.get(deviceId)
        if (d?.online) registry.update(deviceId, { online: false })
      },
    }
    if (external && config.mqttUrl) {
      if (config.mqttCredentials === 'mosquitto-dynsec') {
        // As the dynsec admin: the roles, the device group and the hub's own user, before the hub
        // connects as that user. The admin connection stays open for enrollment and device changes.
        const control = await connectDynsec({
          url: config.mqttUrl,
          username: config.mqttDynsecUsername as string,
          password: await dynsecPassword(config),
          timeoutMs: config.mqttDynsecTimeoutMs,
        })
        try {
          await setupDynsec(control, {
            hubUsername: config.mqttUsername as string,
            hubPassword: config.mqttPassword as string,
            shareGroup: config.mqttShareGroup,
          })
        } catch (err) {
          await control.close()
          throw err
        }
        hub.brokerCredentials = dynsecCredentials(control)
        app.log.info({ admin: config.mqttDynsecUsername }, 'device credentials: mosquitto dynamic security')
      }
      const busOptions = {
        url: config.mqttUrl,
        ...(config.mqttUsername ? { username: config.mqttUsername } : {}),
        ...(config.mqttPassword ? { password: config.mqttPassword } : {}),
        clientId: hubClientId(config),
        sessionExpirySec: config.mqttSessionExpirySec,
        shareGroup: config.mqttShareGroup,
        handlers,
        onPublishError: (topic: string, err: Error) =>
          app.log.warn({ topic, err }, 'the broker did not take a hub message'),
      }
      try {
        const db = hub.store.connection
        if (db && config.hubSlots > 0) {
          // Several hubs: device messages through the slots this hub holds (docs/deploy.md, "Hub slots").
          // The slots use `pg`: loaded only on the PostgreSQL engine.
          const { connectSlottedBroker } = await import('./slots-bus.js')
          const bus = await connectSlottedBroker({
            ...busOptions,
            slots: config.hubSlots,
            slotIntervalMs: config.hubSlotIntervalMs,
            slotPrefix: config.mqttShareGroup,
            db: { ...db, application_name: 'vigil-hub-slots' },
            log: app.log,
          })
          hub.bus = bus
          new Gauge({
            name: 'vigil_hub_slots_held',
            help: 'Hub slots (shared persistent MQTT sessions) this hub holds',
            registers: [metrics.registry],
            collect() {
              this.set(bus.keeper.heldSlots().length)
            },
          })
          new Gauge({
            name: 'vigil_hub_cluster_hubs',
            help: 'Live hubs sharing the slots, as counted in the last round',
            registers: [metrics.registry],
            collect() {
              this.set(bus.keeper.liveHubs())
            },
          })
        } else {
          hub.bus = await connectExternalBroker(busOptions)
        }
      } catch (err) {
        await hub.brokerCredentials?.close()
        hub.brokerCredentials = undefined
        throw err
      }
    } else {
      hub.bus = await startEmbeddedBroker({
        host: config.mqttHost,
        port: config.mqttPort,
        ...(config.tlsCert && config.tlsKey
          ? { tls: { port: config.mqttTlsPort, certFile: config.tlsCert, keyFile: config.tlsKey } }
          : {}),
        plaintext: config.mqttPlaintext,
        ...(config.mqttWsPath ? { ws: { server: app.server, path: config.mqttWsPath } } : {}),
        maxPacketBytes: config.maxPacketBytes,
        ratePerSec: config.deviceRatePerSec,
        burst: config.deviceRateBurst,
        bytesPerSec: config.deviceBytesPerSec,
        // A packet of the maximum size must fit in the burst, or it could never be sent.
        bytesBurst: Math.max(config.deviceBytesBurst, config.maxPacketBytes),
        takeover: config.mqttTakeover,
        drainTimeoutMs: config.drainTimeoutMs,
        lookup: (id) => registry.get(id),
        handlers,
      })
    }
  },
  { name: 'vigil-broker', dependencies: ['vigil-core'] },
)
