/**
 * CERT/CC's SSVC deployer decision table and Human Impact table, read from the published JSON
 * (`data/`, copied from github.com/CERTCC/SSVC — see README.md), never transcribed by hand. The
 * published value keys (E: N/P/A, EXP: S/C/O, A: N/Y, HI: L/M/H/VH, DSOI: D/S/O/I, SI: N/M/R/C,
 * MI: D/MSC/MEF/MF) are mapped to Vigil's words by the value names the same JSON gives.
 */
import type {
  MissionImpact,
  NetworkExposure,
  SafetyImpact,
  SsvcAutomatable,
  SsvcExploitation,
  SsvcHumanImpact,
  SsvcOutcome,
} from '@vigil/protocol'
import deployer from './data/deployer_patch_application_priority_1_0_0.json' with { type: 'json' }
import human from './data/human_impact_1_0_0.json' with { type: 'json' }

interface Table {
  decision_points: Record<string, { values: { key: string; name: string }[] }>
  outcome: string
  mapping: Record<string, string>[]
}

/** `Public PoC` → `public poc`, `MEF Support Crippled` → `mef-support-crippled`, `Out-of-Cycle` → `out-of-cycle`. */
function word(name: string, spaces: ' ' | '-'): string {
  return name.toLowerCase().replace(/\s+/g, spaces)
}

function namesOf(t: Table, dp: string, spaces: ' ' | '-'): Map<string, string> {
  const point = t.decision_points[dp]
  if (point === undefined) throw new Error(`SSVC table lacks decision point ${dp}`)
  return new Map(point.values.map((v) => [v.key, word(v.name, spaces)]))
}

function build(t: Table, inputs: [string, ' ' | '-'][], out: [string, ' ' | '-']): Map<string, string> {
  const names = inputs.map(([dp, sp]) => [dp, namesOf(t, dp, sp)] as const)
  const outNames = namesOf(t, out[0], out[1])
  const table = new Map<string, string>()
  for (const row of t.mapping) {
    const key = names.map(([dp, n]) => n.get(row[dp] ?? '') ?? '?').join('|')
    const outcome = outNames.get(row[out[0]] ?? '')
    if (key.includes('?') || outcome === undefined)
      throw new Error(`SSVC table row not understood: ${JSON.stringify(row)}`)
    table.set(key, outcome)
  }
  return table
}

const DEPLOYER = build(
  deployer as Table,
  [
    ['ssvc:E:1.1.0', ' '],
    ['ssvc:EXP:1.0.1', ' '],
    ['ssvc:A:2.0.0', ' '],
    ['ssvc:HI:2.0.2', ' '],
  ],
  ['ssvc:DSOI:1.0.0', '-'],
)

const HUMAN = build(
  human as Table,
  [
    ['ssvc:SI:2.0.1', '-'],
    ['ssvc:MI:2.0.0', '-'],
  ],
  ['ssvc:HI:2.0.2', ' '],
)

/** Versions of the published tables in use (shown in the README and the decision's sources). */
export const SSVC_TABLES = { deployer: 'ssvc:DT_DP 1.0.0', humanImpact: 'ssvc:DT_HI 1.0.0' } as const

export function humanImpact(safety: SafetyImpact, mission: MissionImpact): SsvcHumanImpact {
  const v = HUMAN.get(`${safety}|${mission}`)
  if (v === undefined) throw new Error(`no Human Impact row for ${safety} × ${mission}`)
  return v as SsvcHumanImpact
}

export function deployerOutcome(
  exploitation: SsvcExploitation,
  exposure: NetworkExposure,
  automatable: SsvcAutomatable,
  human: SsvcHumanImpact,
): SsvcOutcome {
  const v = DEPLOYER.get(`${exploitation}|${exposure}|${automatable}|${human}`)
  if (v === undefined)
    throw new Error(`no deployer row for ${exploitation}, ${exposure}, ${automatable}, ${human}`)
  return v as SsvcOutcome
}

/** Rows of each table (both are complete: 3×3×2×4 = 72 and 4×4 = 16). */
export const SSVC_ROWS = { deployer: DEPLOYER.size, humanImpact: HUMAN.size }

export const OUTCOME_RANK: Record<SsvcOutcome, number> = {
  immediate: 3,
  'out-of-cycle': 2,
  scheduled: 1,
  defer: 0,
}
