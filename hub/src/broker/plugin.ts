/**
 * Broker plugin: starts the embedded broker (or connects to the external one) and feeds the ingest
 * pipeline. Stopped by the core plugin's onClose (before the store is flushed).
 */
import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import { createIngest } from '../ingest/pipeline.js'
import type { BusHandlers } from './bus.js'
import { startEmbeddedBroker } from './embedded.js'
import { connectExternalBroker } from './external.js'

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
      hub.bus = await connectExternalBroker({
        url: config.mqttUrl,
        ...(config.mqttUsername ? { username: config.mqttUsername } : {}),
        ...(config.mqttPassword ? { password: config.mqttPassword } : {}),
        clientId: `vigil-hub-${randomBytes(6).toString('hex')}`,
        shareGroup: config.mqttShareGroup,
        handlers,
      })
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
