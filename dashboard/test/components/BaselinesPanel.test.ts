import { type BaselineState, type HardeningBaseline, PROTOCOL_VERSION } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import BaselinesPanel from '../../src/components/BaselinesPanel.vue'
import { forgetSession } from '../../src/session.ts'
import { badRequest, signedInAs } from '../fake-api.ts'

const ward: HardeningBaseline = {
  v: PROTOCOL_VERSION,
  id: 'ward-gateways',
  version: 2,
  name: 'Ward gateways',
  checks: [
    {
      id: 'no-telnet',
      kind: 'file-absent',
      title: 'telnet is absent',
      severity: 'high',
      path: '/usr/bin/telnet',
    },
  ],
}

function baselineHub(role: 'operator' | 'technician') {
  let state: BaselineState = { current: null, history: [] }
  return signedInAs(role, {
    'GET /api/v1/baselines': () => ({ body: state }),
    'PUT /api/v1/baselines': (body) => {
      const b = body as HardeningBaseline
      if (!Array.isArray(b.checks) || b.checks.length === 0)
        return badRequest('invalid baseline: /checks: must not have fewer than 1 items')
      state = {
        current: b,
        history: [
          {
            id: b.id,
            version: b.version,
            name: b.name,
            checks: b.checks.length,
            publishedAt: '2026-11-28T12:00:00.000Z',
            publishedBy: 'operator-user',
          },
        ],
      }
      return { body: state }
    },
  })
}

describe('BaselinesPanel', () => {
  it('shows the agents default when none is uploaded, refuses bad JSON and a malformed baseline, publishes a good one', async () => {
    const calls = await baselineHub('operator')
    const w = mount(BaselinesPanel)
    await flushPromises()
    expect(w.text()).toContain('shipped default baseline')

    await w.get('#baseline-json').setValue('{ not json')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toContain('not valid JSON')
    expect(calls.some((c) => c.method === 'PUT')).toBe(false)

    await w.get('#baseline-json').setValue(JSON.stringify({ ...ward, checks: [] }))
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toContain('/checks: must not have fewer than 1 items')
    expect(w.text()).toContain('shipped default baseline')

    await w.get('#baseline-json').setValue(JSON.stringify(ward))
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.find('[role="alert"]').exists()).toBe(false)
    expect(w.text()).toContain('Baseline ward-gateways version 2 published to the fleet')
    const row = w.findAll('tbody tr')[0]?.text() ?? ''
    expect(row).toContain('no-telnet')
    expect(row).toContain('telnet is absent')
    expect(row).toMatch(/high/i)
    expect(w.text()).toContain('History (1)')
    w.unmount()
    forgetSession()
  })

  it('offers no upload to a technician', async () => {
    await baselineHub('technician')
    const w = mount(BaselinesPanel)
    await flushPromises()
    expect(w.find('#baseline-json').exists()).toBe(false)
    w.unmount()
    forgetSession()
  })
})
