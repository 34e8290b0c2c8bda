/**
 * CVSS base scores, always computed from the vector when there is one: v3.0/v3.1 with the
 * specification's formulas (FIRST CVSS v3.1 §7.1, Appendix A Roundup), v2 with the v2 guide's
 * equations, v4.0 with the MacroVector method (`cvss4.ts`). A score given without a vector is used
 * as given.
 */
import type { Severity } from '@vigil/protocol'
import { CvssError } from './cvss-error.js'
import { cvss4Score, parseCvss4 } from './cvss4.js'

export { cvss4MacroVector, cvss4Score, parseCvss4 } from './cvss4.js'
export { CvssError }

const V3_WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const
const PR_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const
const PR_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const
const V3_BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const

/** CVSS v3.1 Appendix A: round up to one decimal, robust to floating point error. */
export function roundUp31(value: number): number {
  const int = Math.round(value * 100_000)
  if (int % 10_000 === 0) return int / 100_000
  return (Math.floor(int / 10_000) + 1) / 10
}

/** CVSS v3.0 §7.4 rounding: the smallest number with one decimal ≥ the input. */
function roundUp30(value: number): number {
  return Math.ceil(value * 10) / 10
}

function pick<T extends Record<string, number>>(table: T, key: string | undefined, metric: string): number {
  if (key !== undefined && Object.hasOwn(table, key)) return table[key as keyof T] as number
  throw new CvssError(`invalid value ${key ?? '(missing)'} for metric ${metric}`)
}

function parseVector(vector: string, prefix: RegExp): Map<string, string> {
  const m = prefix.exec(vector)
  if (!m) throw new CvssError(`not a supported CVSS vector: ${vector}`)
  const metrics = new Map<string, string>()
  for (const part of vector.slice(m[0].length).split('/')) {
    const [k, v, extra] = part.split(':')
    if (k === undefined || v === undefined || extra !== undefined || k === '' || v === '') {
      throw new CvssError(`malformed metric "${part}" in ${vector}`)
    }
    if (metrics.has(k)) throw new CvssError(`metric ${k} repeated in ${vector}`)
    metrics.set(k, v)
  }
  return metrics
}

/** Base score of a CVSS v3.0 or v3.1 vector (`CVSS:3.1/AV:N/AC:L/…`). Throws `CvssError`. */
export function cvss3BaseScore(vector: string): number {
  const metrics = parseVector(vector.trim(), /^CVSS:3\.[01]\//)
  const v31 = vector.trim().startsWith('CVSS:3.1/')
  for (const k of V3_BASE) if (!metrics.has(k)) throw new CvssError(`metric ${k} missing in ${vector}`)
  const scope = metrics.get('S')
  if (scope !== 'U' && scope !== 'C') throw new CvssError(`invalid value ${scope} for metric S`)
  const changed = scope === 'C'
  const c = pick(V3_WEIGHTS.CIA, metrics.get('C'), 'C')
  const i = pick(V3_WEIGHTS.CIA, metrics.get('I'), 'I')
  const a = pick(V3_WEIGHTS.CIA, metrics.get('A'), 'A')
  const iss = 1 - (1 - c) * (1 - i) * (1 - a)
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss
  const exploitability =
    8.22 *
    pick(V3_WEIGHTS.AV, metrics.get('AV'), 'AV') *
    pick(V3_WEIGHTS.AC, metrics.get('AC'), 'AC') *
    pick(changed ? PR_CHANGED : PR_UNCHANGED, metrics.get('PR'), 'PR') *
    pick(V3_WEIGHTS.UI, metrics.get('UI'), 'UI')
  if (impact <= 0) return 0
  const round = v31 ? roundUp31 : roundUp30
  return changed
    ? round(Math.min(1.08 * (impact + exploitability), 10))
    : round(Math.min(impact + exploitability, 10))
}

const V2_WEIGHTS: Record<string, Record<string, number>> = {
  AV: { L: 0.395, A: 0.646, N: 1 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  C: { N: 0, P: 0.275, C: 0.66 },
  I: { N: 0, P: 0.275, C: 0.66 },
  A: { N: 0, P: 0.275, C: 0.66 },
}

/** Base score of a CVSS v2 vector (`AV:N/AC:L/Au:N/C:C/I:C/A:C`), CVSS v2 guide §3.2.1. */
export function cvss2BaseScore(vector: string): number {
  const metrics = parseVector(vector.trim().replace(/^\(|\)$/g, ''), /^/)
  const w = (k: string) => pick(V2_WEIGHTS[k] ?? {}, metrics.get(k), k)
  const impact = 10.41 * (1 - (1 - w('C')) * (1 - w('I')) * (1 - w('A')))
  const exploitability = 20 * w('AV') * w('AC') * w('Au')
  const f = impact === 0 ? 0 : 1.176
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10
}

/** Validates a CVSS v4.0 vector (base metrics present, every value known). Throws `CvssError`. */
export function validateCvss4(vector: string): void {
  parseCvss4(vector)
}

/** Qualitative severity band (CVSS v3.1 §5 and v4.0 share the bands). */
export function severityBand(score: number): Severity {
  if (score === 0) return 'none'
  if (score < 4) return 'low'
  if (score < 7) return 'medium'
  if (score < 9) return 'high'
  return 'critical'
}

export interface ScoreInput {
  vector?: string | undefined
  baseScore?: number | undefined
}

/**
 * The base score for one score entry: computed from its v2, v3 or v4 vector, else the given base
 * score. Returns null when nothing usable is present; throws `CvssError` for a malformed vector.
 */
export function baseScoreOf(input: ScoreInput): number | null {
  const vector = input.vector?.trim()
  if (vector?.startsWith('CVSS:3.')) return cvss3BaseScore(vector)
  if (vector?.startsWith('CVSS:4.0/')) return cvss4Score(vector)
  if (vector !== undefined && /^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(vector)) return cvss2BaseScore(vector)
  if (typeof input.baseScore === 'number' && input.baseScore >= 0 && input.baseScore <= 10) {
    return input.baseScore
  }
  return null
}

/** The highest score among several entries (unusable entries skipped) and its band. */
export function severityFromScores(inputs: ScoreInput[]): { score: number; severity: Severity } | null {
  let best: number | null = null
  for (const input of inputs) {
    let s: number | null = null
    try {
      s = baseScoreOf(input)
    } catch {
      s = null
    }
    if (s !== null && (best === null || s > best)) best = s
  }
  return best === null ? null : { score: best, severity: severityBand(best) }
}
