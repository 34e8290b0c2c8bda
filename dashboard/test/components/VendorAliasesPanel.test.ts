import type { VendorAlias, VendorAliasTable } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import VendorAliasesPanel from '../../src/components/VendorAliasesPanel.vue'
import { forgetSession } from '../../src/session.ts'
import { badRequest, signedInAs } from '../fake-api.ts'

describe('VendorAliasesPanel', () => {
  it('lists shipped aliases read-only, adds, removes and saves the operators aliases, shows refusals', async () => {
    let table: VendorAliasTable = {
      seeded: [{ alias: 'phillips', vendor: 'philips' }],
      custom: [{ alias: 'Globex Corp', vendor: 'Globex' }],
    }
    const calls = await signedInAs('operator', {
      'GET /api/v1/vendor-aliases': () => ({ body: table }),
      'PUT /api/v1/vendor-aliases': (body) => {
        const aliases = (body as { aliases: VendorAlias[] }).aliases
        if (aliases.some((a) => a.vendor.trim() === ''))
          return badRequest('/aliases/0/vendor: has no letters or digits')
        table = { ...table, custom: aliases }
        return { body: table }
      },
    })
    const w = mount(VendorAliasesPanel)
    await flushPromises()
    expect(w.text()).toContain('phillips → philips')
    expect((w.get('#alias-0').element as HTMLInputElement).value).toBe('Globex Corp')

    await w
      .findAll('button')
      .find((b) => b.text().startsWith('Remove'))
      ?.trigger('click')
    await w
      .findAll('button')
      .find((b) => b.text() === 'Add alias')
      ?.trigger('click')
    await w.get('#alias-0').setValue('Acme Med')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toContain('/aliases/0/vendor')

    await w.get('#alias-vendor-0').setValue('ACME Medical Inc.')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PUT').at(-1)?.body).toEqual({
      aliases: [{ alias: 'Acme Med', vendor: 'ACME Medical Inc.' }],
    })
    expect(w.text()).toContain('Aliases saved')
    expect(w.find('[role="alert"]').exists()).toBe(false)
    w.unmount()
    forgetSession()
  })

  it('is read-only for a technician', async () => {
    await signedInAs('technician', {
      'GET /api/v1/vendor-aliases': () => ({ body: { seeded: [], custom: [{ alias: 'a b', vendor: 'c' }] } }),
    })
    const w = mount(VendorAliasesPanel)
    await flushPromises()
    expect(w.get('#alias-0').attributes('readonly')).toBeDefined()
    expect(w.findAll('button').some((b) => b.text() === 'Save aliases')).toBe(false)
    w.unmount()
    forgetSession()
  })
})
