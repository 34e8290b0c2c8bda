import { describe, expect, it } from 'vitest'
import { devicesByDecision } from '../../src/lib/deviceDecisions.ts'
import { finding } from '../decided-findings.ts'

const fleet = [
  finding(1, 'scheduled'),
  finding(1, 'defer'),
  finding(2, 'immediate'),
  finding(3, null),
  finding(4, 'out-of-cycle'),
  finding(4, 'scheduled'),
  finding(5, 'immediate'),
  finding(5, 'immediate'),
  finding(6, 'scheduled'),
  finding(6, 'scheduled'),
  finding(7, 'defer'),
]

describe('devicesByDecision', () => {
  it('ranks devices by their worst decision, then by how many findings carry it; undecided last', () => {
    const rows = devicesByDecision(fleet)
    expect(rows.map((r) => [r.deviceName, r.worst])).toEqual([
      ['gateway-5', 'immediate'],
      ['gateway-2', 'immediate'],
      ['gateway-4', 'out-of-cycle'],
      ['gateway-6', 'scheduled'],
      ['gateway-1', 'scheduled'],
      ['gateway-7', 'defer'],
      ['gateway-3', null],
    ])
    expect(rows.find((r) => r.deviceId === 'dev-1')).toMatchObject({
      counts: { immediate: 0, 'out-of-cycle': 0, scheduled: 1, defer: 1 },
      undecided: 0,
      total: 2,
    })
    expect(rows.find((r) => r.deviceId === 'dev-3')).toMatchObject({ undecided: 1, total: 1 })
  })

  it('filters to the devices holding a finding with the chosen decision, keeping the order', () => {
    expect(devicesByDecision(fleet, 'scheduled').map((r) => r.deviceId)).toEqual(['dev-4', 'dev-6', 'dev-1'])
    expect(devicesByDecision(fleet, 'immediate').map((r) => r.deviceId)).toEqual(['dev-5', 'dev-2'])
    expect(devicesByDecision(fleet, 'defer').map((r) => r.deviceId)).toEqual(['dev-1', 'dev-7'])
    expect(devicesByDecision([], 'defer')).toEqual([])
  })
})
