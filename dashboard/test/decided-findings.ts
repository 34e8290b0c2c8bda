/** Open findings with a given SSVC outcome (null: undecided), for the devices-by-decision tests. */
import type { FindingView, SsvcOutcome } from '@vigil/protocol'
import { findingView } from './finding-view.ts'

const point = <T>(value: T) => ({ value, source: 'test' })

let n = 0
export const finding = (device: number, outcome: SsvcOutcome | null): FindingView =>
  findingView({
    id: `f${n++}`,
    deviceId: `dev-${device}`,
    deviceName: `gateway-${device}`,
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
