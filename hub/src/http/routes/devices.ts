/** Devices: list, detail, rename/disable (PATCH), delete, command, telemetry history, events. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ApiConflict,
  ApiError,
  CommandResponse,
  CycloneDxDocument,
  DeviceCommandBody,
  DeviceCredentials,
  DeviceDetail,
  DeviceEventList,
  DeviceList,
  DeviceListQuery,
  DevicePatch,
  DeviceSummary,
  DeviceTelemetryList,
  EventQuery,
  NoContent,
  TelemetryQuery,
  Type,
} from '@vigil/protocol'
import { newSecret, sha256 } from '../../auth/crypto.js'
import { toSummary } from '../../devices/registry.js'
import { HubError } from '../../errors.js'
import type { Collection } from '../../store/types.js'
import { conflictAsHttp, etag, ifMatch } from '../if-match.js'
import { mqttUrlFor } from './enrollment.js'

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) })

export const deviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = app.hub
  const tags = ['devices']
  // Fleet data is the hospital's own staff's: a vendor token reads none of it (issue #14 finding 3).
  const staff = app.requireRole('admin', 'operator', 'technician')
  const operators = app.requireRole('admin', 'operator')

  const find = (id: string) => {
    const d = hub.registry.get(id)
    if (!d) throw new HubError('VIGIL_NOT_FOUND', `no device ${id}`)
    return d
  }

  app.get(
    '/devices',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'List devices (paging, sort, filter)',
        querystring: DeviceListQuery,
        response: { 200: DeviceList, 401: ApiError },
      },
    },
    async (req) => hub.registry.list(req.query),
  )

  app.get(
    '/devices/:id',
    {
      onRequest: staff,
      schema: { tags, summary: 'One device', params: Params, response: { 200: DeviceDetail, 404: ApiError } },
    },
    async (req, reply) => {
      const d = find(req.params.id)
      const inventory = d.inventoryHash ? await hub.store.inventories.get(d.inventoryHash) : undefined
      const hardening = d.hardeningHash ? await hub.store.hardening.get(d.hardeningHash) : undefined
      const version = hub.store.devices.versionOf(d.id)
      etag(reply, version)
      return {
        ...toSummary(d, version),
        identity: d.identity ?? null,
        baseline: d.baseline ?? null,
        inventory: inventory
          ? {
              hash: inventory.hash,
              ts: inventory.ts,
              os: inventory.os,
              firmwareVersion: inventory.firmwareVersion ?? null,
              packages: inventory.packages.length,
            }
          : null,
        hardening: hardening
          ? {
              hash: hardening.hash,
              ts: hardening.ts,
              baseline: hardening.baseline,
              results: hardening.results,
            }
          : null,
        findings: app.riskRegister?.findingsOf(d.id) ?? [],
      }
    },
  )

  app.get(
    '/devices/:id/sbom',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'CycloneDX 1.6 SBOM of the device (from its last inventory)',
        params: Params,
        response: { 200: CycloneDxDocument, 404: ApiError },
      },
    },
    async (req, reply) => {
      const d = find(req.params.id)
      const inventory = d.inventoryHash ? await hub.store.inventories.get(d.inventoryHash) : undefined
      if (!inventory) throw new HubError('VIGIL_NOT_FOUND', `no inventory received from device ${d.id} yet`)
      // The CycloneDX library (~80 modules) is loaded by the first SBOM asked for, not at start.
      const { deviceSbom } = await import('../../devices/sbom.js')
      // (the CycloneDX library writes text; parsed back so the declared schema serialises it)
      return reply
        .type('application/vnd.cyclonedx+json; version=1.6')
        .header('content-disposition', `attachment; filename="${d.id}.cdx.json"`)
        .send(JSON.parse(deviceSbom(d, inventory)) as CycloneDxDocument)
    },
  )

  app.patch(
    '/devices/:id',
    {
      onRequest: operators,
      bodyLimit: 16 * 1024,
      schema: {
        tags,
        summary: 'Rename, disable or enable a device; set its clinical asset context',
        params: Params,
        body: DevicePatch,
        response: { 200: DeviceSummary, 400: ApiError, 404: ApiError, 409: ApiConflict, 502: ApiError },
      },
    },
    async (req, reply) => {
      const d = find(req.params.id)
      const actor = req.user?.username ?? ''
      const { context, ...patch } = req.body
      if (context !== undefined && app.assetContext === undefined)
        throw new HubError('VIGIL_BAD_REQUEST', 'body/context needs the risk register feature')
      // With If-Match the change is written only if the device is still at that version (409 with the
      // current device otherwise: hub/README.md "Concurrent changes").
      const version = ifMatch(req)
      const expected = version === undefined ? [] : [{ id: d.id, version }]
      const devices = hub.store.devices as Collection<{ id: string }>
      const current = (c: { id: string; version: number | null }) => {
        const now = hub.registry.get(c.id)
        return now ? toSummary(now, c.version ?? undefined) : null
      }
      // On an external broker with hub-issued credentials the broker changes first: if it cannot, the
      // device is left as it was (disabling there also cuts its connection). A stale version is refused
      // before the broker is asked.
      if (patch.disabled !== undefined && patch.disabled !== d.disabled) {
        if (expected.length > 0)
          await conflictAsHttp(() => hub.store.writeIf(devices, expected, () => undefined), current)
        await hub.brokerCredentials?.setEnabled(d.id, !patch.disabled)
      }
      const updated = await conflictAsHttp(
        () =>
          hub.store.writeIf(devices, expected, () => {
            const next = hub.registry.update(d.id, patch)
            if (next && context !== undefined) app.assetContext?.setDevice(d.id, context, actor)
            return next
          }),
        current,
      )
      if (!updated) throw new HubError('VIGIL_NOT_FOUND')
      if (req.body.name !== undefined && req.body.name !== d.name) {
        hub.audit({ actor, action: 'device.rename', target: d.id, ok: true, detail: req.body.name })
      }
      if (req.body.disabled !== undefined && req.body.disabled !== d.disabled) {
        hub.audit({
          actor,
          action: req.body.disabled ? 'device.disable' : 'device.enable',
          target: d.id,
          ok: true,
        })
        if (req.body.disabled) hub.bus?.disconnect(d.id)
      }
      await hub.store.commit()
      const now = hub.store.devices.versionOf(d.id)
      etag(reply, now)
      return toSummary(updated, now)
    },
  )

  app.delete(
    '/devices/:id',
    {
      onRequest: operators,
      schema: {
        tags,
        summary: 'Delete a device',
        params: Params,
        response: { 204: NoContent, 404: ApiError, 502: ApiError },
      },
    },
    async (req, reply) => {
      const d = find(req.params.id)
      await hub.brokerCredentials?.remove(d.id)
      hub.registry.remove(d.id)
      hub.telemetry.forget(d.id)
      hub.bus?.disconnect(d.id)
      hub.audit({
        actor: req.user?.username ?? '',
        action: 'device.delete',
        target: d.id,
        ok: true,
        detail: d.name,
      })
      await hub.store.commit()
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/devices/:id/credentials',
    {
      onRequest: operators,
      schema: {
        tags,
        summary: 'Rotate the device’s MQTT password (the old one stops working, its connection is closed)',
        params: Params,
        response: { 200: DeviceCredentials, 404: ApiError, 409: ApiError, 502: ApiError },
      },
    },
    async (req) => {
      const d = find(req.params.id)
      // On an external broker without hub-issued credentials the broker's password file is the truth.
      if (hub.config.mqttUrl !== undefined && !hub.brokerCredentials)
        throw new HubError('VIGIL_CONFLICT', 'device credentials are the external broker’s to issue')
      if (d.external)
        throw new HubError('VIGIL_CONFLICT', 'this device was registered by the broker, not enrolled here')
      const secret = newSecret()
      // The broker first (it also closes the connection made with the old password); if it cannot,
      // the old password stays valid everywhere.
      await hub.brokerCredentials?.setPassword(d.id, secret)
      hub.registry.update(d.id, { secretHash: sha256(secret) })
      hub.bus?.disconnect(d.id)
      hub.audit({
        actor: req.user?.username ?? '',
        action: 'device.rotate-credentials',
        target: d.id,
        ok: true,
      })
      await hub.store.commit()
      return {
        deviceId: d.id,
        mqtt: { url: mqttUrlFor(hub.config, hub.bus?.ports()), username: d.id, password: secret },
      }
    },
  )

  app.post(
    '/devices/:id/commands',
    {
      onRequest: operators,
      bodyLimit: 16 * 1024,
      schema: {
        tags,
        summary: 'Send a command and wait for the answer',
        params: Params,
        body: DeviceCommandBody,
        response: { 200: CommandResponse, 404: ApiError, 409: ApiError },
      },
    },
    async (req) => {
      const d = find(req.params.id)
      if (hub.bus?.isConnected(d.id) === false) throw new HubError('VIGIL_DEVICE_OFFLINE')
      hub.audit({
        actor: req.user?.username ?? '',
        action: 'device.command',
        target: d.id,
        ok: true,
        detail: req.body.cmd,
      })
      const res = await hub.commands.request(d.id, { cmd: req.body.cmd })
      if (!res) throw new HubError('VIGIL_DEVICE_OFFLINE', 'the device did not answer in time')
      return res
    },
  )

  app.get(
    '/devices/:id/telemetry',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Telemetry history (last hour full rate, older downsampled)',
        params: Params,
        querystring: TelemetryQuery,
        response: { 200: DeviceTelemetryList, 404: ApiError },
      },
    },
    async (req) => {
      const d = find(req.params.id)
      return { telemetry: hub.telemetry.query(d.id, req.query.since ? Date.parse(req.query.since) : 0) }
    },
  )

  app.get(
    '/devices/:id/events',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Events reported by the device, newest first',
        params: Params,
        querystring: EventQuery,
        response: { 200: DeviceEventList, 404: ApiError },
      },
    },
    async (req) => {
      const d = find(req.params.id)
      const events = await hub.store.events.read({
        limit: req.query.limit ?? 100,
        offset: req.query.offset ?? 0,
        filter: (e) => e.deviceId === d.id,
      })
      return { events }
    },
  )
}
