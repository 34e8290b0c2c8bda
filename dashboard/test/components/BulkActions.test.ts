/** Issue 18.9: a bulk "Accept the risk" asks first (how many findings, until when) and sends nothing before yes. */
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import BulkActions from '../../src/components/BulkActions.vue'
import { signedInAs } from '../fake-api.ts'

const IDS = ['f-1', 'f-2', 'f-3']

async function acceptForm(ids: string[]) {
  const calls = await signedInAs('operator', {
    'POST /api/v1/findings/bulk': (body) => ({
      body: { updated: (body as { ids: string[] }).ids, failed: [] },
    }),
  })
  const wrapper = mount(BulkActions, { props: { ids }, attachTo: document.body })
  await wrapper.find('#bulk-action').setValue('accepted')
  await wrapper.find('#bulk-justification').setValue('Isolated ward network; vendor patch due in Q1')
  await wrapper.find('#bulk-approver').setValue('CISO')
  await wrapper.find('#bulk-expires').setValue('2027-03-31')
  await wrapper.find('#bulk-why').setValue('risk board 2026-12')
  await wrapper.find('form').trigger('submit')
  await flushPromises()
  const bulk = () => calls.filter((c) => c.path === '/api/v1/findings/bulk')
  return { wrapper, bulk }
}

describe('BulkActions: accepting a risk', () => {
  it('asks how many findings and until when, and sends nothing before the answer', async () => {
    const { wrapper, bulk } = await acceptForm(IDS)
    const dialog = wrapper.find('[role="alertdialog"]')
    expect(dialog.exists()).toBe(true)
    expect(dialog.text()).toContain('Accept the risk of 3 findings until')
    expect(dialog.text()).toMatch(/2027|31/)
    expect(bulk()).toEqual([])
    wrapper.unmount()
  })

  it('sends the acceptance for the findings named once confirmed', async () => {
    const { wrapper, bulk } = await acceptForm(IDS)
    await wrapper.get('[role="alertdialog"] button.primary').trigger('click')
    await flushPromises()
    expect(bulk()).toHaveLength(1)
    expect(bulk()[0]?.body).toMatchObject({ ids: IDS, transition: { state: 'accepted', approver: 'CISO' } })
    expect(wrapper.text()).toContain('3 updated')
    wrapper.unmount()
  })

  it('cancel sends nothing; another selection asks again', async () => {
    const { wrapper, bulk } = await acceptForm(IDS)
    await wrapper.get('[role="alertdialog"] button:not(.primary)').trigger('click')
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    await wrapper.setProps({ ids: ['f-1'] })
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false)
    expect(bulk()).toEqual([])
    wrapper.unmount()
  })

  it('other decisions apply at once, without asking', async () => {
    const calls = await signedInAs('operator', {
      'POST /api/v1/findings/bulk': (body) => ({
        body: { updated: (body as { ids: string[] }).ids, failed: [] },
      }),
    })
    const wrapper = mount(BulkActions, { props: { ids: IDS } })
    await wrapper.find('#bulk-action').setValue('assign')
    await wrapper.find('#bulk-owner').setValue('ward-it')
    await wrapper.find('#bulk-why').setValue('triage')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false)
    expect(calls.filter((c) => c.path === '/api/v1/findings/bulk')).toHaveLength(1)
    wrapper.unmount()
  })
})

describe('BulkActions: a finding changed by someone else meanwhile', () => {
  it('sends the versions shown and, on 409, says what changed and asks the page to reload', async () => {
    const calls = await signedInAs('operator', {
      'POST /api/v1/findings/bulk': () => ({
        status: 409,
        body: {
          error: { code: 'VIGIL_CONFLICT', message: 'changed by someone else: f-2 is at version 4, not 3' },
          current: [
            {
              id: 'f-2',
              version: 4,
              view: {
                id: 'f-2',
                deviceName: 'pump-gw-7',
                advisory: 'DSA-1',
                state: 'mitigated',
                owner: 'biomed',
                decision: { by: 'alice' },
              },
            },
          ],
        },
      }),
    })
    const wrapper = mount(BulkActions, {
      props: { ids: IDS, versions: { 'f-1': 2, 'f-2': 3, 'f-3': 1, other: 9 } },
    })
    await wrapper.find('#bulk-action').setValue('assign')
    await wrapper.find('#bulk-owner').setValue('ward-it')
    await wrapper.find('#bulk-why').setValue('triage')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    const sent = calls.filter((c) => c.path === '/api/v1/findings/bulk')
    expect(sent).toHaveLength(1)
    const body = sent[0]?.body as { ids: string[]; versions: Record<string, number> }
    expect(body).toMatchObject({ ids: IDS })
    expect(body.versions).toEqual({ 'f-1': 2, 'f-2': 3, 'f-3': 1 })
    const alert = wrapper.get('[role="alert"]').text()
    expect(alert).toContain('Changed by someone else')
    expect(alert).toContain('pump-gw-7 · DSA-1: now mitigated, owner biomed (by alice)')
    expect(wrapper.emitted('done')).toHaveLength(1)
    wrapper.unmount()
  })
})
