/**
 * One finding's SSVC deployer decision: every decision point with its value and where it came from,
 * then the outcome from CERT/CC's table (`table.ts`). Pure: the caller passes what the hub knows.
 *
 * Exploitation: KEV → active; the advisory's own statement (`exploit-hints.ts`) → active / public PoC;
 *   EPSS ≥ 0.5 → public PoC (a 50 % chance of exploitation activity within 30 days means working
 *   exploit code circulates); otherwise none (SSVC: "no evidence of active exploitation and no PoC").
 * Automatable: a CVSS vector with network attack vector, low complexity, no privileges and no user
 *   interaction (v3 AV:N/AC:L/PR:N/UI:N, v4 also AT:N, v2 AV:N/AC:L/Au:N) → yes; other vectors → no;
 *   no vector → yes (unknown, treated cautiously).
 * Exposure, Safety and Mission impact: the device context (own value, else its model's default). When
 *   safety or mission impact is unset the clinical function gives a default (CLINICAL_DEFAULTS); when
 *   that is unknown too: exposure → open, safety → catastrophic (the cautious values: unknown is never
 *   low), mission → MEF failure (the worst value that still lets safety decide: mission failure alone
 *   makes Human Impact "very high" whatever the safety impact).
 * An operator's override replaces a point's value (source says who and why).
 */
import type {
  ClinicalFunction,
  DeviceContextView,
  MissionImpact,
  NetworkExposure,
  SafetyImpact,
  SsvcAutomatable,
  SsvcDecision,
  SsvcExploitation,
  SsvcPointName,
} from '@vigil/protocol'
import type { ExploitHint } from '../advisories/exploit-hints.js'
import { deployerOutcome, humanImpact } from './table.js'

export const EPSS_POC_THRESHOLD = 0.5

/** Vigil's defaults per clinical function (not CERT/CC's: documented in hub/src/risk/README.md). */
export const CLINICAL_DEFAULTS: Record<ClinicalFunction, { safety: SafetyImpact; mission: MissionImpact }> = {
  'life-sustaining': { safety: 'catastrophic', mission: 'mef-failure' },
  therapeutic: { safety: 'critical', mission: 'mef-failure' },
  monitoring: { safety: 'critical', mission: 'mef-support-crippled' },
  diagnostic: { safety: 'marginal', mission: 'mef-support-crippled' },
  'clinical-support': { safety: 'negligible', mission: 'mef-support-crippled' },
  'non-clinical': { safety: 'negligible', mission: 'degraded' },
}

export const UNKNOWN_DEFAULTS = {
  exposure: 'open' as NetworkExposure,
  safety: 'catastrophic' as SafetyImpact,
  mission: 'mef-failure' as MissionImpact,
}

export interface OverrideEntry {
  value: string
  by: string
  at: string
  justification: string
}

/** What a decision reads from the advisory side: the finding's KEV, EPSS, exploit statement and vectors. */
export interface AdvisoryInputs {
  kev: { dateAdded?: string } | null
  epss: number | null
  exploit: ExploitHint | null
  /** CVSS vectors of the finding's vulnerability (any version). */
  vectors: string[]
}

export interface DecisionInputs extends AdvisoryInputs {
  context: DeviceContextView
  overrides?: Partial<Record<SsvcPointName, OverrideEntry>>
}

interface Point {
  value: string
  source: string
  overridden?: SsvcDecision['exposure']['overridden']
}

/** The points the advisory side decides (the same for every device with this finding). */
export interface AdvisoryPoints {
  exploitation: { value: SsvcExploitation; source: string }
  automatable: { value: SsvcAutomatable; source: string }
}

/** The points the device's effective context decides (the same for every finding of the device). */
export interface ContextPoints {
  exposure: { value: NetworkExposure; source: string }
  safetyImpact: { value: SafetyImpact; source: string }
  missionImpact: { value: MissionImpact; source: string }
  ephi: NonNullable<SsvcDecision['ephi']>
}

const VALUES: Record<SsvcPointName, readonly string[]> = {
  exploitation: ['none', 'public poc', 'active'],
  exposure: ['small', 'controlled', 'open'],
  automatable: ['no', 'yes'],
  safetyImpact: ['negligible', 'marginal', 'critical', 'catastrophic'],
  missionImpact: ['degraded', 'mef-support-crippled', 'mef-failure', 'mission-failure'],
}

export function validPointValue(point: SsvcPointName, value: string): boolean {
  return VALUES[point].includes(value)
}

export function pointValues(point: SsvcPointName): readonly string[] {
  return VALUES[point]
}

/** Automatable from one CVSS vector: null when the string is not a vector we read. */
export function automatableFromVector(vector: string): SsvcAutomatable | null {
  const m = new Map<string, string>()
  for (const part of vector.split('/')) {
    const [k, v] = part.split(':')
    if (k !== undefined && v !== undefined) m.set(k, v)
  }
  const is = (k: string, v: string) => m.get(k) === v
  if (vector.startsWith('CVSS:4.')) {
    if (!m.has('AV')) return null
    return is('AV', 'N') && is('AC', 'L') && is('AT', 'N') && is('PR', 'N') && is('UI', 'N') ? 'yes' : 'no'
  }
  if (vector.startsWith('CVSS:3.')) {
    if (!m.has('AV')) return null
    return is('AV', 'N') && is('AC', 'L') && is('PR', 'N') && is('UI', 'N') ? 'yes' : 'no'
  }
  if (m.has('AV') && m.has('Au')) return is('AV', 'N') && is('AC', 'L') && is('Au', 'N') ? 'yes' : 'no'
  return null
}

function exploitation(i: AdvisoryInputs): { value: SsvcExploitation; source: string } {
  if (i.kev !== null)
    return { value: 'active', source: `CISA KEV${i.kev.dateAdded ? ` (added ${i.kev.dateAdded})` : ''}` }
  if (i.exploit?.value === 'active') return { value: 'active', source: i.exploit.evidence }
  if (i.exploit?.value === 'public poc') return { value: 'public poc', source: i.exploit.evidence }
  if (i.epss !== null && i.epss >= EPSS_POC_THRESHOLD)
    return { value: 'public poc', source: `EPSS ${i.epss} ≥ ${EPSS_POC_THRESHOLD}` }
  const epss = i.epss !== null ? `EPSS ${i.epss}` : 'no EPSS score'
  return { value: 'none', source: `not in KEV, no exploit reference in the advisory, ${epss}` }
}

function automatable(vectors: string[]): { value: SsvcAutomatable; source: string } {
  let no: string | undefined
  for (const v of vectors) {
    const a = automatableFromVector(v)
    if (a === 'yes') return { value: 'yes', source: `CVSS ${v}` }
    if (a === 'no') no ??= v
  }
  if (no !== undefined) return { value: 'no', source: `CVSS ${no}` }
  return { value: 'yes', source: 'no CVSS vector: unknown, treated as yes (cautious)' }
}

function fromContext<T extends string>(
  ctx: DeviceContextView,
  field: 'exposure' | 'safetyImpact' | 'missionImpact',
  clinical: T | null,
  unknown: T,
): { value: T; source: string } {
  const v = ctx.context[field] as T | null
  if (v !== null)
    return { value: v, source: ctx.sources[field] === 'model' ? 'model default' : 'device context' }
  const fn = ctx.context.clinicalFunction
  if (clinical !== null && fn !== null)
    return { value: clinical, source: `clinical function ${fn} (default)` }
  return { value: unknown, source: `unknown, treated as ${unknown} (cautious)` }
}

/**
 * Why ePHI is shown but decides nothing (hub/src/risk/README.md, "ePHI"): the deployer tree's points are
 * Exploitation, System Exposure, Automatable and Human Impact (Safety × Mission). Exposure of patient data
 * enters SSVC only through Safety Impact's psychological and financial harm, which reach Marginal only
 * when the harm is widespread (populations, bankruptcy of multiple persons): a judgement about the scale
 * of the data that a yes/no flag does not carry. Set Safety Impact to marginal (context or override) when
 * a breach of this device's data would reach that scale.
 */
export const EPHI_NOTE =
  'context, not a decision point: SSVC counts patient-data exposure only as psychological or financial harm under Safety Impact (marginal at most, when widespread); set Safety Impact to marginal if a breach of this device would reach that scale'

function ephiOf(ctx: DeviceContextView): NonNullable<SsvcDecision['ephi']> {
  const value = ctx.context.ephi
  const source =
    value === null ? 'unknown' : ctx.sources.ephi === 'model' ? 'model default' : 'device context'
  return { value, source, note: EPHI_NOTE }
}

export function advisoryPoints(i: AdvisoryInputs): AdvisoryPoints {
  return { exploitation: exploitation(i), automatable: automatable(i.vectors) }
}

export function contextPoints(ctx: DeviceContextView): ContextPoints {
  const fn = ctx.context.clinicalFunction
  const defaults = fn !== null ? CLINICAL_DEFAULTS[fn] : null
  return {
    exposure: fromContext<NetworkExposure>(ctx, 'exposure', null, UNKNOWN_DEFAULTS.exposure),
    safetyImpact: fromContext<SafetyImpact>(
      ctx,
      'safetyImpact',
      defaults?.safety ?? null,
      UNKNOWN_DEFAULTS.safety,
    ),
    missionImpact: fromContext<MissionImpact>(
      ctx,
      'missionImpact',
      defaults?.mission ?? null,
      UNKNOWN_DEFAULTS.mission,
    ),
    ephi: ephiOf(ctx),
  }
}

/**
 * The decision from both sides' points, an operator's overrides replacing points, then CERT/CC's
 * Human Impact and deployer tables. The point objects are shared, never modified.
 */
export function combine(
  a: AdvisoryPoints,
  c: ContextPoints,
  overrides?: Partial<Record<SsvcPointName, OverrideEntry>>,
): SsvcDecision {
  const points: Record<SsvcPointName, Point> = {
    exploitation: a.exploitation,
    exposure: c.exposure,
    automatable: a.automatable,
    safetyImpact: c.safetyImpact,
    missionImpact: c.missionImpact,
  }
  for (const [name, o] of Object.entries(overrides ?? {}) as [SsvcPointName, OverrideEntry][]) {
    if (!validPointValue(name, o.value)) continue
    points[name] = {
      value: o.value,
      source: `override by ${o.by}: ${o.justification}`,
      overridden: { by: o.by, at: o.at, justification: o.justification },
    }
  }
  const safety = points.safetyImpact.value as SafetyImpact
  const mission = points.missionImpact.value as MissionImpact
  const human = humanImpact(safety, mission)
  const d = {
    exploitation: points.exploitation,
    exposure: points.exposure,
    automatable: points.automatable,
    safetyImpact: points.safetyImpact,
    missionImpact: points.missionImpact,
    humanImpact: { value: human, source: `SSVC Human Impact table: ${safety} × ${mission}` },
  } as Omit<SsvcDecision, 'outcome'>
  return {
    outcome: deployerOutcome(
      d.exploitation.value,
      d.exposure.value,
      d.automatable.value,
      d.humanImpact.value,
    ),
    ...d,
    ephi: c.ephi,
  }
}

/** One finding's decision computed directly from its inputs (the decider memoizes the same steps). */
export function decide(i: DecisionInputs): SsvcDecision {
  return combine(advisoryPoints(i), contextPoints(i.context), i.overrides)
}
