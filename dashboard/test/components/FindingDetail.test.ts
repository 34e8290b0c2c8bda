import type { FindingView } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import FindingDetail from '../../src/components/FindingDetail.vue'
import { fakeApi } from '../fake-api.ts'
import { findingView } from '../finding-view.ts'
import { testRouter } from '../helpers.ts'

const finding = (why: FindingView['why']): FindingView =>
  findingView({
    deviceName: 'pump-1',
    advisory: 'ICSA-23-026-04',
    cve: 'CVE-2022-46649',
    component: { name: 'Sierra Wireless RV50', version: '4.15.0', purl: null },
    affected: '< 4.16.0',
    fixed: null,
    confidence: 'range',
    ...(why ? { why } : {}),
  })

async function detail(f: FindingView) {
  fakeApi({ 'GET /api/v1/findings/f1/history': () => ({ body: { history: [] } }) })
  const router = testRouter()
  await router.push('/')
  const w = mount(FindingDetail, { props: { finding: f }, global: { plugins: [router] } })
  await flushPromises()
  return w
}

describe('FindingDetail: how the device was identified (issue 17)', () => {
  it('shows the match tier and how the product was recognised', async () => {
    const w = await detail(
      finding({
        source: 'csaf',
        entry: 'CSAFPID-0002: Sierra Wireless / Airlink Router (MP70, RV50, …) / < 4.16.0',
        reason: 'firmware 4.15.0 is inside "< 4.16.0"',
        tier: 'alias',
        identified:
          'model listed in "Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software" "rv50"',
      }),
    )
    const tier = w.get('[data-test="match-tier"]').text()
    expect(tier).toContain('alias')
    expect(tier).toContain('model listed in')
  })

  it('shows no tier for a package finding', async () => {
    const w = await detail(finding({ source: 'osv', entry: 'Debian:12 libxml2', reason: 'inside' }))
    expect(w.find('[data-test="match-tier"]').exists()).toBe(false)
  })
})
