import type { DeviceContextView, DeviceDetail } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import DeviceContextPanel from '../../src/components/DeviceContextPanel.vue'
import { type FakeReply, signedInAs } from '../fake-api.ts'
import { device } from '../helpers.ts'

const ID = 'dev-00001'
const PATH = `/api/v1/devices/${ID}`

function detail(version: number): DeviceDetail {
  return {
    ...device(1, { id: ID, version }),
    identity: null,
    baseline: null,
    inventory: null,
    hardening: null,
    findings: [],
  }
}

function contextView(owner: string | null, location: string | null): DeviceContextView {
  return {
    deviceId: ID,
    vendor: 'Globex',
    model: 'GW-100',
    context: {
      clinicalFunction: 'monitoring',
      safetyImpact: null,
      missionImpact: null,
      ephi: null,
      exposure: null,
      location,
      owner,
    },
    sources: {
      clinicalFunction: 'device',
      safetyImpact: 'unknown',
      missionImpact: 'unknown',
      ephi: 'unknown',
      exposure: 'unknown',
      location: location === null ? 'unknown' : 'device',
      owner: owner === null ? 'unknown' : 'device',
    },
  }
}

/** The hub as it is: version 3 with no owner; `patch` answers the save. */
interface HubState {
  version: number
  view: DeviceContextView
}
async function panel(patch: (state: HubState) => FakeReply) {
  const state: HubState = { version: 3, view: contextView(null, 'ward 3') }
  const calls = await signedInAs('operator', {
    [`GET ${PATH}`]: () => ({ body: detail(state.version) }),
    [`GET ${PATH}/context`]: () => ({ body: state.view }),
    [`PATCH ${PATH}`]: () => patch(state),
  })
  const w = mount(DeviceContextPanel, { props: { deviceId: ID } })
  await flushPromises()
  return { w, calls }
}

describe('DeviceContextPanel saving', () => {
  it('sends the device version the form was read at (If-Match)', async () => {
    const { w, calls } = await panel(() => ({ body: device(1, { id: ID, version: 4 }) }))
    await w.findAll('input[type="text"]')[1]?.setValue('biomed team')
    await w.find('form').trigger('submit')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')
    expect(patch?.headers['if-match']).toBe('"3"')
    expect(patch?.body).toMatchObject({ context: { owner: 'biomed team', location: 'ward 3' } })
    expect(w.find('[role="alert"]').exists()).toBe(false)
    expect(w.emitted('saved')).toHaveLength(1)
  })

  it('on 409 says someone else changed it, shows the current context and keeps the entries', async () => {
    const { w, calls } = await panel((state) => {
      // Someone else set the owner meanwhile (version 5).
      Object.assign(state, { version: 5, view: contextView('night shift', 'ward 3') })
      return {
        status: 409,
        body: {
          error: { code: 'VIGIL_CONFLICT', message: `changed by someone else: ${ID}` },
          current: [{ id: ID, version: 5, view: device(1, { id: ID, version: 5 }) }],
        },
      }
    })
    await w.findAll('input[type="text"]')[1]?.setValue('biomed team')
    await w.find('form').trigger('submit')
    await flushPromises()
    const alert = w.find('[role="alert"]').text()
    expect(alert).toContain('Changed by someone else meanwhile; your change was not applied.')
    expect(alert).toContain('Responsible owner: night shift')
    expect(w.find('[data-testid="context-effective"]').text()).toContain('night shift')
    expect(w.findAll<HTMLInputElement>('input[type="text"]')[1]?.element.value).toBe('biomed team')
    expect(w.emitted('saved')).toBeUndefined()
    // Saving again is a deliberate decision made from what is shown now: version 5.
    await w.find('form').trigger('submit')
    await flushPromises()
    const patches = calls.filter((c) => c.method === 'PATCH')
    expect(patches.map((c) => c.headers['if-match'])).toEqual(['"3"', '"5"'])
  })
})
