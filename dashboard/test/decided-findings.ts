/** Open findings with a given SSVC outcome (null: undecided), for the devices-by-decision tests. */
import type { FindingView, SsvcOutcome } from '@vigil/protocol'

const point = <T>(value: T) => ({ value, source: 'test' })

let n = 0
export const finding = (device: number, outcome: SsvcOutcome | null): FindingView => ({
  id: `f${n++}`,
  deviceId: `dev-${device}`,
  deviceName: `gateway-${device}`,
  advisory: 'DLA-3012-1',
  cve: 'CVE-2022-29824',
  component: { name: 'libxml2', version: '2.9.4', purl: null },
  affected: '< 2.9.4+deb9u7',
  fixed: '2.9.4+deb9u7',
  severity: 'high',
  kev: false,
  confidence: 'exact',
  state: 'open',
  owner: null,
  firstSeen: '2026-11-01T00:00:00.000Z',
  resolvedAt: null,
  dueDate: '2026-12-01T00:00:00.000Z',
  overdue: false,
  decision: null,
  ...(outcome === null
    ? {}
    : {
        ssvc: {
          outcome,
          exploitation: point('none' as const),
          exposure: point('open' as const),
          automatable: point('yes' as const),
          safetyImpact: point('catastrophic' as const),
          missionImpact: point('mission-failure' as const),
          humanImpact: point('very high' as const),
        },
      }),
})
