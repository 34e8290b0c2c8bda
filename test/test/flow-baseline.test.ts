/**
 * Fleet baseline across packages: an operator uploads a baseline to a real hub, the hub publishes it
 * retained on the baseline topic, a real agent applies it and its next hardening report names it.
 */
import { type DeviceDetail, type HardeningBaseline, PROTOCOL_VERSION } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { api, signIn, startAgent, startTestHub, waitFor } from '../src/system.ts'

const wardBaseline: HardeningBaseline = {
  v: PROTOCOL_VERSION,
  id: 'ward-gateways',
  version: 4,
  name: 'Ward gateways',
  checks: [
    {
      id: 'os-release',
      kind: 'file-exists',
      title: '/etc/os-release exists',
      severity: 'low',
      path: '/etc/os-release',
    },
    {
      id: 'no-rsh',
      kind: 'file-absent',
      title: 'rsh client is absent',
      severity: 'high',
      path: '/usr/bin/rsh-redone-rsh',
    },
  ],
}

describe('fleet baseline: hub → retained MQTT → agent → hardening report', () => {
  it('a real agent applies an uploaded baseline and reports against it; a malformed one is refused', async () => {
    const hub = await startTestHub()
    const token = await signIn(hub)
    const agent = await startAgent(hub, token, { name: 'baseline-gateway' })

    const hardeningOf = (baselineId: string) =>
      waitFor<NonNullable<DeviceDetail['hardening']>>(
        (done) => {
          const poll = async () => {
            const res = await api<DeviceDetail>(hub, `/api/v1/devices/${agent.deviceId}`, { token })
            const h = res.body?.hardening
            if (h && h.baseline.id === baselineId) done(h)
            else setTimeout(poll, 150)
          }
          void poll()
        },
        60_000,
        `a hardening report against ${baselineId}`,
      )

    // The agent reports against its shipped default first.
    const first = await hardeningOf('vigil-debian-gateway')
    expect(first.results.length).toBeGreaterThan(5)

    const bad = await api<{ error: { message: string } }>(hub, '/api/v1/baselines', {
      method: 'PUT',
      token,
      body: JSON.stringify({ ...wardBaseline, checks: [] }),
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('/checks')

    const put = await api(hub, '/api/v1/baselines', {
      method: 'PUT',
      token,
      body: JSON.stringify(wardBaseline),
    })
    expect(put.status).toBe(200)

    const applied = await hardeningOf('ward-gateways')
    expect(applied.baseline).toEqual({ id: 'ward-gateways', version: 4 })
    expect(applied.results.map((r) => r.id).sort()).toEqual(['no-rsh', 'os-release'])
    expect(applied.results.find((r) => r.id === 'os-release')?.status).toBe('pass')
  }, 120_000)
})
