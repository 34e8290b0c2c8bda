/**
 * CVSS v4.0 scoring (FIRST CVSS v4.0 specification §8, "CVSS v4.0 Scoring"). A vector is reduced to
 * its MacroVector (six equivalence classes, EQ1–EQ6); the MacroVector's expert-assigned score comes
 * from the specification's lookup table, and the vector's score is interpolated below it by how far
 * the vector is from the most severe vectors of its MacroVector, relative to the next lower
 * MacroVectors. The tables and the order of the steps follow FIRST's reference calculator
 * (github.com/FIRSTdotorg/cvss-v4-calculator, `cvss40.js`) so that floating point rounds the same way.
 *
 * Threat (E) and Environmental (CR/IR/AR, M*) metrics are honoured when a vector carries them, as the
 * specification requires (the result is then CVSS-BT / CVSS-BE / CVSS-BTE); Supplemental metrics are
 * validated and do not change the score.
 */
import { CvssError } from './cvss-error.js'

const METRIC_VALUES: Record<string, readonly string[]> = {
  // Base (mandatory)
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
  // Threat
  E: ['X', 'A', 'P', 'U'],
  // Environmental
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  // Supplemental (no effect on the score)
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
}
const ORDER = Object.keys(METRIC_VALUES)
const BASE_METRICS = ORDER.slice(0, 11)

/** Score of each MacroVector (EQ1…EQ6 digits), from the specification. */
// biome-ignore format: the specification's table, kept six entries to a row
const MACROVECTOR_SCORE: Readonly<Record<string, number>> = {
  '000000': 10, '000001': 9.9, '000010': 9.8, '000011': 9.5, '000020': 9.5, '000021': 9.2,
  '000100': 10, '000101': 9.6, '000110': 9.3, '000111': 8.7, '000120': 9.1, '000121': 8.1,
  '000200': 9.3, '000201': 9, '000210': 8.9, '000211': 8, '000220': 8.1, '000221': 6.8,
  '001000': 9.8, '001001': 9.5, '001010': 9.5, '001011': 9.2, '001020': 9, '001021': 8.4,
  '001100': 9.3, '001101': 9.2, '001110': 8.9, '001111': 8.1, '001120': 8.1, '001121': 6.5,
  '001200': 8.8, '001201': 8, '001210': 7.8, '001211': 7, '001220': 6.9, '001221': 4.8,
  '002001': 9.2, '002011': 8.2, '002021': 7.2, '002101': 7.9, '002111': 6.9, '002121': 5,
  '002201': 6.9, '002211': 5.5, '002221': 2.7, '010000': 9.9, '010001': 9.7, '010010': 9.5,
  '010011': 9.2, '010020': 9.2, '010021': 8.5, '010100': 9.5, '010101': 9.1, '010110': 9,
  '010111': 8.3, '010120': 8.4, '010121': 7.1, '010200': 9.2, '010201': 8.1, '010210': 8.2,
  '010211': 7.1, '010220': 7.2, '010221': 5.3, '011000': 9.5, '011001': 9.3, '011010': 9.2,
  '011011': 8.5, '011020': 8.5, '011021': 7.3, '011100': 9.2, '011101': 8.2, '011110': 8,
  '011111': 7.2, '011120': 7, '011121': 5.9, '011200': 8.4, '011201': 7, '011210': 7.1,
  '011211': 5.2, '011220': 5, '011221': 3, '012001': 8.6, '012011': 7.5, '012021': 5.2,
  '012101': 7.1, '012111': 5.2, '012121': 2.9, '012201': 6.3, '012211': 2.9, '012221': 1.7,
  '100000': 9.8, '100001': 9.5, '100010': 9.4, '100011': 8.7, '100020': 9.1, '100021': 8.1,
  '100100': 9.4, '100101': 8.9, '100110': 8.6, '100111': 7.4, '100120': 7.7, '100121': 6.4,
  '100200': 8.7, '100201': 7.5, '100210': 7.4, '100211': 6.3, '100220': 6.3, '100221': 4.9,
  '101000': 9.4, '101001': 8.9, '101010': 8.8, '101011': 7.7, '101020': 7.6, '101021': 6.7,
  '101100': 8.6, '101101': 7.6, '101110': 7.4, '101111': 5.8, '101120': 5.9, '101121': 5,
  '101200': 7.2, '101201': 5.7, '101210': 5.7, '101211': 5.2, '101220': 5.2, '101221': 2.5,
  '102001': 8.3, '102011': 7, '102021': 5.4, '102101': 6.5, '102111': 5.8, '102121': 2.6,
  '102201': 5.3, '102211': 2.1, '102221': 1.3, '110000': 9.5, '110001': 9, '110010': 8.8,
  '110011': 7.6, '110020': 7.6, '110021': 7, '110100': 9, '110101': 7.7, '110110': 7.5,
  '110111': 6.2, '110120': 6.1, '110121': 5.3, '110200': 7.7, '110201': 6.6, '110210': 6.8,
  '110211': 5.9, '110220': 5.2, '110221': 3, '111000': 8.9, '111001': 7.8, '111010': 7.6,
  '111011': 6.7, '111020': 6.2, '111021': 5.8, '111100': 7.4, '111101': 5.9, '111110': 5.7,
  '111111': 5.7, '111120': 4.7, '111121': 2.3, '111200': 6.1, '111201': 5.2, '111210': 5.7,
  '111211': 2.9, '111220': 2.4, '111221': 1.6, '112001': 7.1, '112011': 5.9, '112021': 3,
  '112101': 5.8, '112111': 2.6, '112121': 1.5, '112201': 2.3, '112211': 1.3, '112221': 0.6,
  '200000': 9.3, '200001': 8.7, '200010': 8.6, '200011': 7.2, '200020': 7.5, '200021': 5.8,
  '200100': 8.6, '200101': 7.4, '200110': 7.4, '200111': 6.1, '200120': 5.6, '200121': 3.4,
  '200200': 7, '200201': 5.4, '200210': 5.2, '200211': 4, '200220': 4, '200221': 2.2,
  '201000': 8.5, '201001': 7.5, '201010': 7.4, '201011': 5.5, '201020': 6.2, '201021': 5.1,
  '201100': 7.2, '201101': 5.7, '201110': 5.5, '201111': 4.1, '201120': 4.6, '201121': 1.9,
  '201200': 5.3, '201201': 3.6, '201210': 3.4, '201211': 1.9, '201220': 1.9, '201221': 0.8,
  '202001': 6.4, '202011': 5.1, '202021': 2, '202101': 4.7, '202111': 2.1, '202121': 1.1,
  '202201': 2.4, '202211': 0.9, '202221': 0.4, '210000': 8.8, '210001': 7.5, '210010': 7.3,
  '210011': 5.3, '210020': 6, '210021': 5, '210100': 7.3, '210101': 5.5, '210110': 5.9,
  '210111': 4, '210120': 4.1, '210121': 2, '210200': 5.4, '210201': 4.3, '210210': 4.5,
  '210211': 2.2, '210220': 2, '210221': 1.1, '211000': 7.5, '211001': 5.5, '211010': 5.8,
  '211011': 4.5, '211020': 4, '211021': 2.1, '211100': 6.1, '211101': 5.1, '211110': 4.8,
  '211111': 1.8, '211120': 2, '211121': 0.9, '211200': 4.6, '211201': 1.8, '211210': 1.7,
  '211211': 0.7, '211220': 0.8, '211221': 0.2, '212001': 5.3, '212011': 2.4, '212021': 1.4,
  '212101': 2.4, '212111': 1.2, '212121': 0.5, '212201': 1, '212211': 0.3, '212221': 0.1,
}

/** Severity level of each metric value, in steps of 0.1 (0 = most severe). */
const LEVELS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0.0, A: 0.1, L: 0.2, P: 0.3 },
  PR: { N: 0.0, L: 0.1, H: 0.2 },
  UI: { N: 0.0, P: 0.1, A: 0.2 },
  AC: { L: 0.0, H: 0.1 },
  AT: { N: 0.0, P: 0.1 },
  VC: { H: 0.0, L: 0.1, N: 0.2 },
  VI: { H: 0.0, L: 0.1, N: 0.2 },
  VA: { H: 0.0, L: 0.1, N: 0.2 },
  SC: { H: 0.1, L: 0.2, N: 0.3 },
  SI: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  SA: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  CR: { H: 0.0, M: 0.1, L: 0.2 },
  IR: { H: 0.0, M: 0.1, L: 0.2 },
  AR: { H: 0.0, M: 0.1, L: 0.2 },
  E: { U: 0.2, P: 0.1, A: 0 },
}
const LEVEL_METRICS = Object.keys(LEVELS)

type MetricMap = Readonly<Record<string, string>>
const parsedMaxVectors = new Map<string, MetricMap>()
/** A most-severe vector as metrics; each of the few hundred combinations is parsed once. */
const p = (spec: string): MetricMap => {
  let parsed = parsedMaxVectors.get(spec)
  if (!parsed) {
    parsed = Object.fromEntries(spec.split('/').map((kv) => kv.split(':') as [string, string]))
    parsedMaxVectors.set(spec, parsed)
  }
  return parsed
}

/** The most severe vectors of each EQ level (EQ3 is split by EQ6, as the two are scored jointly). */
const MAX_COMPOSED = {
  eq1: [
    ['AV:N/PR:N/UI:N'],
    ['AV:A/PR:N/UI:N', 'AV:N/PR:L/UI:N', 'AV:N/PR:N/UI:P'],
    ['AV:P/PR:N/UI:N', 'AV:A/PR:L/UI:P'],
  ],
  eq2: [['AC:L/AT:N'], ['AC:H/AT:N', 'AC:L/AT:P']],
  eq3: [
    [['VC:H/VI:H/VA:H/CR:H/IR:H/AR:H'], ['VC:H/VI:H/VA:L/CR:M/IR:M/AR:H', 'VC:H/VI:H/VA:H/CR:M/IR:M/AR:M']],
    [
      ['VC:L/VI:H/VA:H/CR:H/IR:H/AR:H', 'VC:H/VI:L/VA:H/CR:H/IR:H/AR:H'],
      [
        'VC:L/VI:H/VA:L/CR:H/IR:M/AR:H',
        'VC:L/VI:H/VA:H/CR:H/IR:M/AR:M',
        'VC:H/VI:L/VA:H/CR:M/IR:H/AR:M',
        'VC:H/VI:L/VA:L/CR:M/IR:H/AR:H',
        'VC:L/VI:L/VA:H/CR:H/IR:H/AR:M',
      ],
    ],
    [[], ['VC:L/VI:L/VA:L/CR:H/IR:H/AR:H']],
  ],
  eq4: [['SC:H/SI:S/SA:S'], ['SC:H/SI:H/SA:H'], ['SC:L/SI:L/SA:L']],
  eq5: [['E:A'], ['E:P'], ['E:U']],
} as const

/** Depth of each EQ level (the largest severity distance inside it, plus one), in 0.1 steps. */
const MAX_SEVERITY = {
  eq1: [1, 4, 5],
  eq2: [1, 2],
  eq3eq6: [
    [7, 6],
    [8, 8],
    [Number.NaN, 10],
  ],
  eq4: [6, 5, 4],
} as const

const WORST_WHEN_UNDEFINED: MetricMap = { E: 'A', CR: 'H', IR: 'H', AR: 'H' }

export interface Cvss4Vector {
  /** Every metric of the vector (base, threat, environmental, supplemental), as written. */
  readonly metrics: MetricMap
}

/** Parses and validates a CVSS v4.0 vector (all base metrics present, known values, FIRST order). */
export function parseCvss4(vector: string): Cvss4Vector {
  const text = vector.trim()
  if (!text.startsWith('CVSS:4.0/')) throw new CvssError(`not a CVSS v4.0 vector: ${vector}`)
  const metrics: Record<string, string> = {}
  let position = 0
  for (const part of text.slice('CVSS:4.0/'.length).split('/')) {
    const [key, value, extra] = part.split(':')
    if (key === undefined || value === undefined || extra !== undefined || key === '' || value === '') {
      throw new CvssError(`malformed metric "${part}" in ${vector}`)
    }
    const allowed = METRIC_VALUES[key]
    if (allowed === undefined) throw new CvssError(`unknown metric ${key} in ${vector}`)
    if (Object.hasOwn(metrics, key)) throw new CvssError(`metric ${key} repeated in ${vector}`)
    if (!allowed.includes(value)) throw new CvssError(`invalid value ${value} for metric ${key} in ${vector}`)
    const at = ORDER.indexOf(key)
    if (at < position) throw new CvssError(`metric ${key} out of order in ${vector}`)
    position = at
    metrics[key] = value
  }
  for (const key of BASE_METRICS) {
    if (!Object.hasOwn(metrics, key)) throw new CvssError(`metric ${key} missing in ${vector}`)
  }
  return { metrics }
}

/** The value a metric takes for scoring: a Modified metric overrides its base, X means worst case. */
function effective(metrics: MetricMap, key: string): string {
  const given = metrics[key] ?? 'X'
  if (given === 'X' && WORST_WHEN_UNDEFINED[key] !== undefined) return WORST_WHEN_UNDEFINED[key]
  const modified = metrics[`M${key}`]
  if (modified !== undefined && modified !== 'X') return modified
  return given
}

/** The MacroVector: six digits, EQ1…EQ6, each 0 for the most severe level. */
export function cvss4MacroVector(v: Cvss4Vector): string {
  const m = (k: string) => effective(v.metrics, k)
  const [av, pr, ui] = [m('AV'), m('PR'), m('UI')]
  const eq1 =
    av === 'N' && pr === 'N' && ui === 'N'
      ? 0
      : (av === 'N' || pr === 'N' || ui === 'N') && av !== 'P'
        ? 1
        : 2
  const eq2 = m('AC') === 'L' && m('AT') === 'N' ? 0 : 1
  const [vc, vi, va] = [m('VC'), m('VI'), m('VA')]
  const eq3 = vc === 'H' && vi === 'H' ? 0 : vc === 'H' || vi === 'H' || va === 'H' ? 1 : 2
  const eq4 =
    m('MSI') === 'S' || m('MSA') === 'S' ? 0 : m('SC') === 'H' || m('SI') === 'H' || m('SA') === 'H' ? 1 : 2
  const e = m('E')
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2
  const eq6 =
    (m('CR') === 'H' && vc === 'H') || (m('IR') === 'H' && vi === 'H') || (m('AR') === 'H' && va === 'H')
      ? 0
      : 1
  return `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`
}

/**
 * Round half up to one decimal after lifting the value by 1e-6: the interpolation can land one ULP
 * below an x.x5 tie (8.549999… for 8.55), which a bare `Math.round` sends the wrong way for 522 of the
 * 104,976 base vectors. FIRST's calculator and Red Hat's reference (issue #66, fixed 2024-11) do this.
 */
function roundToTenth(value: number): number {
  return Math.round((value + 1e-6) * 10) / 10
}

function macroScore(digits: readonly number[]): number | undefined {
  return MACROVECTOR_SCORE[digits.join('')]
}

type Effective = (metric: string) => string

/**
 * Severity distances of the vector from the first of its MacroVector's most severe vectors that is at
 * least as severe on every metric (FIRST's order of search), summed per EQ.
 */
function distancesFromMax(m: Effective, eq: readonly number[]): [number, number, number, number] {
  const [eq1 = 0, eq2 = 0, eq3 = 0, eq4 = 0, eq5 = 0, eq6 = 0] = eq
  for (const a of MAX_COMPOSED.eq1[eq1] ?? []) {
    for (const b of MAX_COMPOSED.eq2[eq2] ?? []) {
      for (const c of MAX_COMPOSED.eq3[eq3]?.[eq6] ?? []) {
        for (const d of MAX_COMPOSED.eq4[eq4] ?? []) {
          for (const e of MAX_COMPOSED.eq5[eq5] ?? []) {
            const max = p(`${a}/${b}/${c}/${d}/${e}`)
            const dist: Record<string, number> = {}
            let below = false
            for (const k of LEVEL_METRICS) {
              const levels = LEVELS[k] ?? {}
              const x = (levels[m(k)] ?? 0) - (levels[max[k] ?? ''] ?? 0)
              if (x < 0) below = true
              dist[k] = x
            }
            if (below) continue
            const sum = (...keys: string[]) => keys.reduce((acc, k) => acc + (dist[k] ?? 0), 0)
            return [
              sum('AV', 'PR', 'UI'),
              sum('AC', 'AT'),
              sum('VC', 'VI', 'VA', 'CR', 'IR', 'AR'),
              sum('SC', 'SI', 'SA'),
            ]
          }
        }
      }
    }
  }
  throw new CvssError(`no most severe vector of MacroVector ${eq.join('')} covers the vector`)
}

/** The CVSS v4.0 score of a vector (0.0–10.0). Throws `CvssError` for an invalid vector. */
export function cvss4Score(vector: string): number {
  const v = parseCvss4(vector)
  const m: Effective = (k) => effective(v.metrics, k)
  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((k) => m(k) === 'N')) return 0

  const macro = cvss4MacroVector(v)
  const value = MACROVECTOR_SCORE[macro]
  if (value === undefined) throw new CvssError(`no MacroVector score for ${macro} (${vector})`)
  const eq = macro.split('').map(Number)
  const [eq1 = 0, eq2 = 0, eq3 = 0, eq4 = 0, , eq6 = 0] = eq
  const lower = (i: number) => macroScore(eq.map((d, j) => (j === i ? d + 1 : d)))

  // 1a. The score of the next lower MacroVector along each EQ (undefined where there is none). EQ3
  // and EQ6 are scored jointly: 00 steps to the higher of 01 and 10, 10 to 11, others raise EQ3.
  let lower36: number | undefined
  if (eq3 === 0 && eq6 === 0) {
    const [left, right] = [lower(5), lower(2)]
    lower36 = left === undefined || right === undefined ? undefined : Math.max(left, right)
  } else lower36 = eq3 === 1 && eq6 === 0 ? lower(5) : lower(2)

  // 1b–1d. Each EQ with a lower MacroVector contributes the score gap to it times the vector's
  // distance from the most severe vectors as a proportion of the EQ's depth. EQ5 has depth 1 and
  // distance 0: it only counts in the mean.
  const [d1, d2, d36, d4] = distancesFromMax(m, eq)
  const STEP = 0.1
  let existing = 0
  let total = 0
  const add = (lowerScore: number | undefined, distance: number, depth: number) => {
    if (lowerScore === undefined) return
    existing++
    total += (value - lowerScore) * (distance / (depth * STEP))
  }
  add(lower(0), d1, MAX_SEVERITY.eq1[eq1] ?? Number.NaN)
  add(lower(1), d2, MAX_SEVERITY.eq2[eq2] ?? Number.NaN)
  add(lower36, d36, MAX_SEVERITY.eq3eq6[eq3]?.[eq6] ?? Number.NaN)
  add(lower(3), d4, MAX_SEVERITY.eq4[eq4] ?? Number.NaN)
  if (lower(4) !== undefined) existing++

  // 2–3. The MacroVector's score minus the mean of those contributions, rounded to one decimal.
  const mean = existing === 0 ? 0 : total / existing
  return roundToTenth(Math.max(0, Math.min(10, value - mean)))
}
