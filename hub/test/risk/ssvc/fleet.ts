/**
 * The SSVC tests' fleet: a real hub (in `dataDir` when given, to restart it there) with DLA 3012
 * uploaded and `n` gateways over real MQTT, each sending the vulnerable inventory and holding its one
 * finding.
 */
import { expect } from 'vitest'
import { testHub } from '../../helpers.ts'
import { api, DLA_3012, gateway, inventory, VULNERABLE, waitFindings } from '../register/fixtures.ts'

export async function fleet(n: number, dataDir?: string) {
  const hub = await testHub({}, dataDir)
  const a = await api(hub)
  expect((await a.post('/api/v1/advisories', DLA_3012)).status).toBe(201)
  const devices: string[] = []
  for (let i = 0; i < n; i++) {
    const gw = await gateway(hub, `gw-${i}`)
    await gw.send(inventory(VULNERABLE))
    await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    devices.push(gw.deviceId)
  }
  return { hub, a, devices }
}
