/**
 * Issue 13, point 2 across packages: a hub on an external Mosquitto with hub-issued credentials
 * (dynamic security plugin), a real agent enrolled through the hub's API with the answer it gets, its
 * reports reaching the hub through the broker, a command answered through it, and disabling the device
 * in the hub cutting the agent off at the broker until it is enabled again.
 */
import type { DeviceList } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { hasMosquittoDynsec, startMosquittoDynsec } from '../src/mosquitto.ts'
import { api, signIn, startAgent, startTestHub, until } from '../src/system.ts'

const ADMIN = { username: 'dynsec-admin', password: 'dynsec admin password' }

describe.skipIf(!hasMosquittoDynsec)(
  'a real agent through an external Mosquitto with hub-issued credentials',
  () => {
    it('enrolls, reports, answers a command, and is cut off while disabled', async () => {
      const broker = await startMosquittoDynsec(ADMIN)
      const hub = await startTestHub({
        mqttUrl: broker.url,
        mqttUsername: 'vigil-hub',
        mqttPassword: 'hub mqtt password',
        mqttCredentials: 'mosquitto-dynsec',
        mqttDynsecUsername: ADMIN.username,
        mqttDynsecPassword: ADMIN.password,
      })
      const token = await signIn(hub)
      const agent = await startAgent(hub, token, {
        name: 'ext-gateway',
        overrides: { reconnect: { minMs: 100, maxMs: 500 } },
      })
      expect(agent.status().mqttUrl).toBe(broker.url)

      const row = await until('the agent online with telemetry, through the broker', async () => {
        const list = await api<DeviceList>(hub, '/api/v1/devices', { token })
        const d = list.body.devices.find((x) => x.id === agent.deviceId)
        return d?.online && d.cpuPct !== undefined && d.os ? d : undefined
      })
      expect(row).toMatchObject({ name: 'ext-gateway', online: true })

      const ping = await api<{ status: string }>(hub, `/api/v1/devices/${agent.deviceId}/commands`, {
        token,
        method: 'POST',
        body: JSON.stringify({ cmd: 'ping' }),
      })
      expect(ping.status).toBe(200)
      expect(ping.body.status).toBe('ok')

      const patch = (disabled: boolean) =>
        api(hub, `/api/v1/devices/${agent.deviceId}`, {
          token,
          method: 'PATCH',
          body: JSON.stringify({ disabled }),
        })
      expect((await patch(true)).status).toBe(200)
      await until('the broker to drop the disabled agent', () =>
        agent.status().connected ? undefined : true,
      )
      // It keeps trying (backoff ≤ 500 ms) and keeps being refused.
      await new Promise((r) => setTimeout(r, 1500))
      expect(agent.status().connected).toBe(false)

      expect((await patch(false)).status).toBe(200)
      await until('the agent back once enabled', () => (agent.status().connected ? true : undefined))
    })
  },
)
