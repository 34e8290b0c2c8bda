import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { birth, connectEnrolled, enroll, testHub } from '../../helpers.ts'
import { CISA } from '../advisories/data.ts'
import { api, waitFindings } from '../register/fixtures.ts'

describe('device-level CSAF matching on identity change (real MQTT births)', () => {
  it('a Philips device on affected firmware gets the CISA finding; new firmware resolves it', async () => {
    const hub = await testHub()
    const a = await api(hub)
    const csaf = JSON.parse(readFileSync(join(CISA, '2018/icsma-18-025-01.json'), 'utf8')) as unknown
    expect((await a.post('/api/v1/advisories', csaf)).status).toBe(201)
    const dev = await enroll(hub, 'cardio-1')
    const client = await connectEnrolled(hub, dev)
    const identity = (firmwareVersion: string) =>
      birth({
        identity: {
          hostname: 'cardio-1',
          vendor: 'Philips',
          model: 'IntelliSpace Cardiovascular',
          firmwareVersion,
          os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
        },
      })
    const state = topics.device(dev.deviceId, 'state')
    await client.publishAsync(state, JSON.stringify(identity('2.3.0')), { qos: 1, retain: true })
    const [f] = await waitFindings(a, dev.deviceId, (fs) => fs.length > 0, 'CSAF finding')
    expect(f).toMatchObject({
      advisory: 'ICSMA-18-025-01',
      component: { version: '2.3.0' },
      affected: expect.stringContaining('2.3.0'),
      state: 'open',
    })
    await client.publishAsync(state, JSON.stringify(identity('2.3.1')), { qos: 1, retain: true })
    const after = await waitFindings(
      a,
      dev.deviceId,
      (fs) => fs.every((x) => x.state === 'resolved'),
      'resolved',
    )
    expect(after[0]?.decision?.why).toBe('firmware 2.3.1 is not affected')
  })
})
