import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import DecisionDevices from '../../src/components/DecisionDevices.vue'
import { finding } from '../decided-findings.ts'
import { testRouter } from '../helpers.ts'

async function panel(findings: ReturnType<typeof finding>[], limit?: number) {
  const router = testRouter()
  await router.push('/')
  return mount(DecisionDevices, {
    props: limit === undefined ? { findings } : { findings, limit },
    global: { plugins: [router] },
  })
}

const rows = (w: Awaited<ReturnType<typeof panel>>) =>
  w.findAll('tbody tr').map((r) => r.attributes('data-key'))

describe('DecisionDevices', () => {
  it('lists devices worst decision first with their counts, and filters by decision', async () => {
    const w = await panel([
      finding(1, 'scheduled'),
      finding(2, 'immediate'),
      finding(2, 'defer'),
      finding(3, null),
      finding(4, 'out-of-cycle'),
    ])
    expect(rows(w)).toEqual(['dev-2', 'dev-4', 'dev-1', 'dev-3'])
    const first = w
      .get('[data-key="dev-2"]')
      .findAll('td')
      .map((c) => c.text())
    expect(first).toEqual(['gateway-2', 'Immediate', '1', '0', '0', '1', '0'])
    expect(w.get('[data-key="dev-3"]').findAll('td')[1]?.text()).toBe('—')
    expect(w.text()).toContain('4 devices')

    await w.get('select').setValue('defer')
    expect(rows(w)).toEqual(['dev-2'])
    expect(w.text()).toContain('1 device')
    await w.get('select').setValue('scheduled')
    expect(rows(w)).toEqual(['dev-1'])
    await w.get('select').setValue('')
    expect(rows(w)).toHaveLength(4)
  })

  it('says so when no device holds the chosen decision, and caps the rows it renders', async () => {
    const w = await panel([finding(1, 'defer')])
    await w.get('select').setValue('immediate')
    expect(w.find('table').exists()).toBe(false)
    expect(w.text()).toContain('No device has an open finding decided Immediate')
    const many = await panel(
      Array.from({ length: 5 }, (_, i) => finding(i, 'scheduled')),
      3,
    )
    expect(rows(many)).toEqual(['dev-0', 'dev-1', 'dev-2'])
    expect(many.text()).toContain('5 devices, the first 3 shown')
  })
})
