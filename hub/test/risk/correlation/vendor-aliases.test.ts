import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DeviceDetail, topics, type VendorAliasTable } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { birth, connectEnrolled, enroll, tempDir, testHub, until } from '../../helpers.ts'
import { CISA } from '../advisories/data.ts'
import { api, findingsOf, waitFindings } from '../register/fixtures.ts'

/** A real CISA advisory, re-attributed to a vendor the seed table does not know. */
function acmeAdvisory(): unknown {
  const text = readFileSync(join(CISA, '2018/icsma-18-025-01.json'), 'utf8')
  const doc = JSON.parse(text) as { product_tree: { branches: { name: string }[] } }
  const vendor = doc.product_tree.branches[0]
  if (vendor) vendor.name = 'ACME Medical Inc.'
  return doc
}

describe('vendor alias table (operators edit it through the API)', () => {
  it('shows the seeded aliases; a new alias makes a device written "Acme Med" match "ACME Medical Inc."', async () => {
    const dir = await tempDir()
    const hub = await testHub({}, dir)
    const a = await api(hub)
    const table = await a.get<VendorAliasTable>('/api/v1/vendor-aliases')
    expect(table.status).toBe(200)
    expect(table.body.seeded).toContainEqual({ alias: 'phillips', vendor: 'philips' })
    expect(table.body.custom).toEqual([])

    expect((await a.post('/api/v1/advisories', acmeAdvisory())).status).toBe(201)
    const dev = await enroll(hub, 'cardio-acme')
    const client = await connectEnrolled(hub, dev)
    const state = birth({
      identity: {
        hostname: 'cardio-acme',
        vendor: 'Acme Med',
        model: 'IntelliSpace Cardiovascular',
        firmwareVersion: '2.3.0',
        os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
      },
    })
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(state), {
      qos: 1,
      retain: true,
    })
    await until(async () => {
      const d = await a.get<DeviceDetail>(`/api/v1/devices/${dev.deviceId}`)
      return d.body.identity?.vendor === 'Acme Med' ? true : undefined
    }, 'the device identity')
    // Correlation runs on the identity hook: with no alias, "Acme Med" is another vendor.
    expect(await findingsOf(a, `device=${dev.deviceId}`)).toEqual([])

    const put = await a.put<VendorAliasTable>('/api/v1/vendor-aliases', {
      aliases: [{ alias: ' Acme Med ', vendor: 'ACME Medical Inc.' }],
    })
    expect(put.status).toBe(200)
    expect(put.body.custom).toEqual([{ alias: 'Acme Med', vendor: 'ACME Medical Inc.' }])
    const [f] = await waitFindings(a, dev.deviceId, (fs) => fs.length > 0, 'the CSAF finding via the alias')
    expect(f).toMatchObject({ advisory: 'ICSMA-18-025-01', component: { version: '2.3.0' }, state: 'open' })

    // Persisted: a restarted hub still matches through the alias.
    await hub.close()
    const again = await testHub({}, dir)
    const b = await api(again)
    expect((await b.get<VendorAliasTable>('/api/v1/vendor-aliases')).body.custom).toHaveLength(1)
    const open = (await findingsOf(b, `device=${dev.deviceId}`)).filter((x) => x.state === 'open')
    expect(open.map((x) => x.advisory)).toEqual(['ICSMA-18-025-01'])

    // Removing the alias resolves the finding again.
    expect((await b.put('/api/v1/vendor-aliases', { aliases: [] })).status).toBe(200)
    await waitFindings(b, dev.deviceId, (fs) => fs.every((x) => x.state === 'resolved'), 'resolved')
  })

  it('refuses bad alias tables with the field named, and technicians may not edit', async () => {
    const hub = await testHub()
    const a = await api(hub)
    const dup = await a.put<{ error: { message: string } }>('/api/v1/vendor-aliases', {
      aliases: [
        { alias: 'X-Ray Co', vendor: 'Xray' },
        { alias: 'x ray co', vendor: 'Other' },
      ],
    })
    expect(dup.status).toBe(400)
    expect(dup.body.error.message).toContain('/aliases/1/alias')
    const blank = await a.put<{ error: { message: string } }>('/api/v1/vendor-aliases', {
      aliases: [{ alias: '---', vendor: 'Xray' }],
    })
    expect(blank.status).toBe(400)
    expect((await a.put('/api/v1/vendor-aliases', { aliases: [{ alias: 'a' }] })).status).toBe(400)
    expect((await a.get<VendorAliasTable>('/api/v1/vendor-aliases')).body.custom).toEqual([])

    await a.post('/api/v1/users', {
      username: 'tech',
      password: 'a long technician password',
      role: 'technician',
    })
    const session = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'tech', password: 'a long technician password' },
    })
    const t = await api(hub, session.json<{ token: string }>().token)
    expect((await t.put('/api/v1/vendor-aliases', { aliases: [] })).status).toBe(403)
    expect((await t.get('/api/v1/vendor-aliases')).status).toBe(200)
  })
})
