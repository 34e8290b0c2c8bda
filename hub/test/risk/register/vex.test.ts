import { describe, expect, it } from 'vitest'
import { testHub } from '../../helpers.ts'
import { api, DLA_3012, gateway, inventory, VULNERABLE, waitFindings } from './fixtures.ts'

interface Vex {
  bomFormat: string
  specVersion: string
  components: {
    'bom-ref': string
    type: string
    components: { 'bom-ref': string; name: string; version: string; purl: string }[]
  }[]
  vulnerabilities: {
    id: string
    analysis: { state: string; justification?: string; response?: string[]; detail?: string }
    affects: { ref: string }[]
  }[]
}

describe('CycloneDX VEX export of the fleet decisions', () => {
  it('false positive → not_affected with justification; accepted → exploitable + will_not_fix; open → in_triage', async () => {
    const hub = await testHub()
    const a = await api(hub)
    await a.post('/api/v1/advisories', DLA_3012)
    const gws = [await gateway(hub, 'gw-fp'), await gateway(hub, 'gw-acc'), await gateway(hub, 'gw-open')]
    for (const g of gws) await g.send(inventory(VULNERABLE))
    const id = async (deviceId: string) =>
      (await waitFindings(a, deviceId, (fs) => fs.length === 1, 'finding'))[0]?.id ?? ''
    const [fp, acc, open] = [
      await id(gws[0]?.deviceId ?? ''),
      await id(gws[1]?.deviceId ?? ''),
      await id(gws[2]?.deviceId ?? ''),
    ]
    await a.post(`/api/v1/findings/${fp}/transition`, {
      state: 'false_positive',
      why: 'reviewed',
      reason: 'the XML parser is not reachable on this gateway',
      vexJustification: 'code_not_reachable',
    })
    await a.post(`/api/v1/findings/${acc}/transition`, {
      state: 'accepted',
      why: 'waiting for the vendor',
      justification: 'isolated network',
      approver: 'CISO',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    })
    const res = await a.get<Vex>('/api/v1/vex')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/vnd\.cyclonedx\+json/)
    const vex = res.body
    expect(vex).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' })
    const byRef = (deviceId: string) =>
      vex.vulnerabilities.find((v) => v.affects[0]?.ref.startsWith(`${deviceId}/`))
    const vfp = byRef(gws[0]?.deviceId ?? '')
    expect(vfp).toMatchObject({
      id: 'CVE-2022-29824',
      analysis: { state: 'not_affected', justification: 'code_not_reachable' },
    })
    expect(vfp?.analysis.detail).toContain('not reachable')
    const vacc = byRef(gws[1]?.deviceId ?? '')
    expect(vacc?.analysis).toMatchObject({ state: 'exploitable', response: ['will_not_fix'] })
    expect(vacc?.analysis.state).not.toBe('not_affected')
    expect(vacc?.analysis.detail).toContain('approved by CISO')
    expect(byRef(gws[2]?.deviceId ?? '')?.analysis.state).toBe('in_triage')
    // every affects ref resolves to a component in the document
    const refs = new Set(vex.components.flatMap((c) => c.components.map((p) => p['bom-ref'])))
    for (const v of vex.vulnerabilities) expect(refs.has(v.affects[0]?.ref ?? '')).toBe(true)
    expect(vex.components[0]?.components[0]).toMatchObject({ name: 'libxml2', version: VULNERABLE })
    expect(open).not.toBe(fp)
  })
})
