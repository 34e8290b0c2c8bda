/**
 * "Patch available" on a finding: once a vendor manifest that fixes the finding's CVE and applies to its
 * device is accepted, the register's finding carries `patch`; other devices' findings do not.
 */
import { type FindingView, topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import type { RunningHub } from '../../src/server.ts'
import { birth, connectEnrolled, enroll, testHub, until } from '../helpers.ts'
import {
  DLA_3012,
  findingsOf,
  inventory,
  api as registerApi,
  VULNERABLE,
  waitFindings,
} from '../risk/register/fixtures.ts'
import { createVendor, manifest, push, sign } from './fixtures.ts'

async function gateway(hub: RunningHub, name: string, model: string) {
  const dev = await enroll(hub, name)
  const client = await connectEnrolled(hub, dev)
  const state = birth({
    identity: {
      hostname: name,
      vendor: 'Acme Medical Inc.',
      model,
      firmwareVersion: '4.1.0',
      os: { platform: 'linux', id: 'debian', kernel: '4.9', arch: 'x64' },
    },
  })
  await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(state), {
    qos: 1,
    retain: true,
  })
  const inv = inventory(VULNERABLE)
  await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inv), { qos: 1 })
  await until(() => hub.app.hub.registry.get(dev.deviceId)?.inventoryHash === inv.hash, 'inventory stored')
  return dev.deviceId
}

describe('patch available on a finding', () => {
  it('a finding gets `patch` once a matching manifest is accepted; others stay null', async () => {
    const hub = await testHub()
    const a = await registerApi(hub)
    expect((await a.post('/api/v1/advisories', DLA_3012)).status).toBe(201)
    const covered = await gateway(hub, 'gw-covered', 'IGW-200')
    const other = await gateway(hub, 'gw-other-model', 'IGW-900')
    const [before] = await waitFindings(a, covered, (fs) => fs.length > 0, 'finding')
    expect(before?.cve).toBe('CVE-2022-29824')
    expect(before?.patch).toBeNull()

    const vendor = await createVendor(hub)
    const pushed = await push(hub, vendor.token, sign(manifest({ fixes: ['CVE-2022-29824'] }), vendor.keys))
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201)
    const manifestId = String(pushed.body.id)

    const [after] = await findingsOf(a, `device=${covered}`)
    expect(after?.patch).toEqual({
      manifestId,
      vendor: 'Acme Medical',
      product: 'infusion-gw',
      version: '4.2.1',
    })
    const single = await a.get<FindingView>(`/api/v1/findings/${after?.id}`)
    expect(single.body.patch?.manifestId).toBe(manifestId)
    const [elsewhere] = await waitFindings(a, other, (fs) => fs.length > 0, 'finding of the other model')
    expect(elsewhere?.patch).toBeNull()

    // a closed finding needs no patch
    const fp = await a.post<FindingView>(`/api/v1/findings/${after?.id}/transition`, {
      state: 'false_positive',
      why: 'not reachable',
      reason: 'library unused',
    })
    expect(fp.status, JSON.stringify(fp.body)).toBe(200)
    expect(fp.body.patch).toBeNull()
  })
})
