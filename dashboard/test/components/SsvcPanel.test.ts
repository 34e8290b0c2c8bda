import type { FindingView } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SsvcPanel from '../../src/components/SsvcPanel.vue'
import { finding } from '../decided-findings.ts'
import { type FakeReply, signedInAs } from '../fake-api.ts'

async function panel(reply: (f: FindingView) => FakeReply) {
  const f: FindingView = { ...finding(1, 'immediate'), version: 7 }
  const calls = await signedInAs('operator', {
    [`POST /api/v1/findings/${f.id}/ssvc-override`]: () => reply(f),
  })
  const w = mount(SsvcPanel, { props: { finding: f } })
  await w.find('.override select').setValue('exposure')
  await w.findAll('.override select')[1]?.setValue('small')
  await w.find('.override input[type="text"]').setValue('behind the VLAN firewall')
  await w.find('form.override').trigger('submit')
  await flushPromises()
  return { w, calls, f }
}

describe('SsvcPanel override', () => {
  it("sends the finding's version (If-Match) and hands on the answered finding", async () => {
    const { w, calls } = await panel((f) => ({ body: { ...f, version: 8 } }))
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.headers['if-match']).toBe('"7"')
    expect(post?.body).toMatchObject({ point: 'exposure', value: 'small' })
    expect(w.emitted('changed')?.[0]?.[0]).toMatchObject({ version: 8 })
    expect(w.find('[role="alert"]').exists()).toBe(false)
  })

  it('on 409 says someone else changed it and hands on the finding as it is now', async () => {
    const { w } = await panel((f) => ({
      status: 409,
      body: {
        error: { code: 'VIGIL_CONFLICT', message: `changed by someone else: ${f.id}` },
        current: [{ id: f.id, version: 9, view: { ...f, version: 9, owner: 'night shift' } }],
      },
    }))
    expect(w.find('[role="alert"]').text()).toBe(
      'Changed by someone else meanwhile; your change was not applied.',
    )
    expect(w.emitted('changed')?.[0]?.[0]).toMatchObject({ version: 9, owner: 'night shift' })
    // The justification typed is kept for a deliberate second try.
    expect(w.find<HTMLInputElement>('.override input[type="text"]').element.value).toBe(
      'behind the VLAN firewall',
    )
  })
})
