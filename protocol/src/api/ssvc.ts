/**
 * SSVC deployer decisions on findings (issue 17 point 2): the outcome of CERT/CC's deployer decision
 * table and the value of every decision point with where it came from, and operators' overrides.
 */
import { type Static, Type } from '../schema.js'
import { MissionImpact, NetworkExposure, SafetyImpact } from './context.js'

export const SsvcOutcome = Type.Union([
  Type.Literal('defer'),
  Type.Literal('scheduled'),
  Type.Literal('out-of-cycle'),
  Type.Literal('immediate'),
])
export type SsvcOutcome = Static<typeof SsvcOutcome>

export const SsvcExploitation = Type.Union([
  Type.Literal('none'),
  Type.Literal('public poc'),
  Type.Literal('active'),
])
export type SsvcExploitation = Static<typeof SsvcExploitation>

export const SsvcAutomatable = Type.Union([Type.Literal('no'), Type.Literal('yes')])
export type SsvcAutomatable = Static<typeof SsvcAutomatable>

export const SsvcHumanImpact = Type.Union([
  Type.Literal('low'),
  Type.Literal('medium'),
  Type.Literal('high'),
  Type.Literal('very high'),
])
export type SsvcHumanImpact = Static<typeof SsvcHumanImpact>

export const SsvcPointName = Type.Union([
  Type.Literal('exploitation'),
  Type.Literal('exposure'),
  Type.Literal('automatable'),
  Type.Literal('safetyImpact'),
  Type.Literal('missionImpact'),
])
export type SsvcPointName = Static<typeof SsvcPointName>

const point = <T extends Parameters<typeof Type.Union>[0][number]>(value: T) =>
  Type.Object({
    value,
    source: Type.String({ description: 'where the value came from, in words' }),
    overridden: Type.Optional(
      Type.Object({
        by: Type.String(),
        at: Type.String({ format: 'date-time' }),
        justification: Type.String(),
      }),
    ),
  })

/** A finding's decision: outcome and every decision point. */
export const SsvcDecision = Type.Object(
  {
    outcome: SsvcOutcome,
    exploitation: point(SsvcExploitation),
    exposure: point(NetworkExposure),
    automatable: point(SsvcAutomatable),
    safetyImpact: point(SafetyImpact),
    missionImpact: point(MissionImpact),
    humanImpact: point(SsvcHumanImpact),
    /**
     * Context shown next to the decision, not a decision point: whether the device stores or transmits
     * patient data (ePHI), where that came from, and why it does not change the outcome (CERT/CC's
     * deployer tree has no data-exposure point; hub/src/risk/README.md, "ePHI").
     */
    ephi: Type.Optional(
      Type.Object({
        value: Type.Union([Type.Boolean(), Type.Null()]),
        source: Type.String(),
        note: Type.String(),
      }),
    ),
  },
  { $id: 'SsvcDecision' },
)
export type SsvcDecision = Static<typeof SsvcDecision>

/**
 * `POST /api/v1/findings/:id/ssvc-override`: set one decision point of one finding (with a
 * justification, audited), or `value: null` to return it to the computed value. Survives re-correlation.
 */
export const SsvcOverride = Type.Object(
  {
    point: SsvcPointName,
    value: Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Null()]),
    justification: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false, $id: 'SsvcOverride' },
)
export type SsvcOverride = Static<typeof SsvcOverride>

/** Remediation time per SSVC outcome (defer: none). Part of `SlaPolicy`. */
export const SsvcSla = Type.Object(
  {
    immediateHours: Type.Integer({ minimum: 1, maximum: 8760 }),
    outOfCycleDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    scheduledDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  },
  { additionalProperties: false },
)
export type SsvcSla = Static<typeof SsvcSla>

/** Remediation windows per SSVC outcome when the SLA policy names none (defer has no deadline). */
export const DEFAULT_SSVC_SLA: SsvcSla = { immediateHours: 48, outOfCycleDays: 14, scheduledDays: 90 }
