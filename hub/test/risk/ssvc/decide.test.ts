/** Issue 17: each SSVC decision point read from its source, and the cautious reading of unknowns. */
import type { DeviceContextView } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { csafExploitHint, osvExploitHint } from '../../../src/risk/advisories/exploit-hints.ts'
import { automatableFromVector, decide } from '../../../src/risk/ssvc/decide.ts'

const context = (c: Partial<DeviceContextView['context']> = {}): DeviceContextView => {
  const full = {
    clinicalFunction: null,
    safetyImpact: null,
    missionImpact: null,
    ephi: null,
    exposure: null,
    location: null,
    owner: null,
    ...c,
  }
  const sources = Object.fromEntries(
    Object.entries(full).map(([k, v]) => [k, v === null ? 'unknown' : 'device']),
  ) as DeviceContextView['sources']
  return { deviceId: 'd', vendor: null, model: null, context: full, sources }
}

describe('Automatable from the CVSS vector', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'yes'],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 'no'],
    ['CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'no'],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 'no'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 'no'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'yes'],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'no'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'yes'],
    ['AV:L/AC:L/Au:N/C:P/I:P/A:P', 'no'],
    ['not a vector', null],
  ])('%s → %s', (vector, expected) => {
    expect(automatableFromVector(vector)).toBe(expected)
  })
})

describe('Exploitation from the advisory', () => {
  it('reads CSAF exploit_status words and exploit references', () => {
    expect(
      csafExploitHint(
        [{ category: 'exploit_status', details: 'This vulnerability is being actively exploited.' }],
        [],
      ),
    ).toMatchObject({ value: 'active' })
    expect(
      csafExploitHint(
        [{ category: 'exploit_status', details: 'A public proof-of-concept is available.' }],
        [],
      ),
    ).toMatchObject({ value: 'public poc' })
    expect(
      csafExploitHint(
        [
          {
            category: 'exploit_status',
            details:
              'No known public exploitation specifically targeting this vulnerability has been reported to CISA.',
          },
        ],
        [],
      ),
    ).toBeNull()
    expect(csafExploitHint([{ category: 'impact', details: 'actively exploited' }], [])).toBeNull()
    expect(csafExploitHint([], [{ url: 'https://www.exploit-db.com/exploits/51234' }])).toMatchObject({
      value: 'public poc',
    })
  })

  it('reads OSV EVIDENCE references and exploit collections', () => {
    expect(osvExploitHint([{ type: 'EVIDENCE', url: 'https://example.org/poc' }])).toMatchObject({
      value: 'public poc',
    })
    expect(
      osvExploitHint([{ type: 'WEB', url: 'https://packetstormsecurity.com/files/1/x.html' }]),
    ).toMatchObject({ value: 'public poc' })
    expect(
      osvExploitHint([{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-1' }]),
    ).toBeNull()
  })
})

describe('decide', () => {
  const base = { kev: null, epss: null, exploit: null, vectors: [] as string[] }

  it('KEV wins over the advisory and EPSS; EPSS ≥ 0.5 is public PoC; otherwise none', () => {
    const vectors = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H']
    expect(
      decide({ ...base, vectors, kev: { dateAdded: '2026-01-02' }, epss: 0.01, context: context() })
        .exploitation,
    ).toEqual({
      value: 'active',
      source: 'CISA KEV (added 2026-01-02)',
    })
    expect(decide({ ...base, epss: 0.5, context: context() }).exploitation.value).toBe('public poc')
    expect(decide({ ...base, epss: 0.49, context: context() }).exploitation).toEqual({
      value: 'none',
      source: 'not in KEV, no exploit reference in the advisory, EPSS 0.49',
    })
    expect(
      decide({
        ...base,
        exploit: { value: 'active', evidence: 'CSAF exploit_status: "x"' },
        context: context(),
      }).exploitation,
    ).toEqual({ value: 'active', source: 'CSAF exploit_status: "x"' })
  })

  it('unknown context is cautious: open, catastrophic, MEF failure → never low', () => {
    const d = decide({ ...base, context: context() })
    expect([d.exposure.value, d.safetyImpact.value, d.missionImpact.value, d.humanImpact.value]).toEqual([
      'open',
      'catastrophic',
      'mef-failure',
      'very high',
    ])
    // explicit safety with unknown mission: mission MEF failure lets safety decide (marginal → medium)
    expect(decide({ ...base, context: context({ safetyImpact: 'marginal' }) }).humanImpact.value).toBe(
      'medium',
    )
  })

  it('a clinical function gives defaults; explicit values win', () => {
    const ls = decide({
      ...base,
      context: context({ clinicalFunction: 'life-sustaining', exposure: 'small' }),
    })
    expect(ls.safetyImpact).toEqual({
      value: 'catastrophic',
      source: 'clinical function life-sustaining (default)',
    })
    const nc = decide({
      ...base,
      context: context({ clinicalFunction: 'non-clinical', safetyImpact: 'critical', exposure: 'small' }),
    })
    expect(nc.safetyImpact).toEqual({ value: 'critical', source: 'device context' })
    expect(nc.missionImpact.value).toBe('degraded')
    expect(nc.humanImpact.value).toBe('medium')
  })

  it('an override replaces one point and the outcome follows the table', () => {
    const ctx = context({ exposure: 'open', clinicalFunction: 'life-sustaining' })
    const vectors = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H']
    expect(decide({ ...base, vectors, kev: {}, context: ctx }).outcome).toBe('immediate')
    const o = { value: 'small', by: 'ana', at: '2026-12-01T00:00:00.000Z', justification: 'isolated VLAN' }
    const d = decide({ ...base, vectors, kev: {}, context: ctx, overrides: { exposure: o } })
    expect(d.exposure).toEqual({
      value: 'small',
      source: 'override by ana: isolated VLAN',
      overridden: { by: 'ana', at: o.at, justification: 'isolated VLAN' },
    })
    // active × small × yes × very high → out-of-cycle (row 55)
    expect(d.outcome).toBe('out-of-cycle')
  })
})

describe('ePHI (context next to the decision, not a decision point)', () => {
  const base = { kev: null, epss: null, exploit: null, vectors: [] as string[] }
  const functions = [
    null,
    'life-sustaining',
    'therapeutic',
    'monitoring',
    'diagnostic',
    'clinical-support',
    'non-clinical',
  ] as const
  const exposures = [null, 'small', 'controlled', 'open'] as const

  it('is shown with its source and the reason, and never changes a point or the outcome', () => {
    let compared = 0
    for (const clinicalFunction of functions)
      for (const exposure of exposures)
        for (const kev of [null, { dateAdded: '2026-01-02' }]) {
          const without = decide({
            ...base,
            kev,
            context: context({ clinicalFunction, exposure, ephi: null }),
          })
          expect(without.ephi).toMatchObject({ value: null, source: 'unknown' })
          for (const ephi of [true, false]) {
            const d = decide({ ...base, kev, context: context({ clinicalFunction, exposure, ephi }) })
            expect(d.ephi).toMatchObject({ value: ephi, source: 'device context' })
            expect(d.ephi?.note).toMatch(/not a decision point.*Safety Impact/)
            const { ephi: _a, ...points } = d
            const { ephi: _b, ...pointsWithout } = without
            expect(points).toEqual(pointsWithout)
            compared++
          }
        }
    expect(compared).toBe(functions.length * exposures.length * 2 * 2)
  })
})
