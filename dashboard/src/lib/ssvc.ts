/** Words for clinical context and SSVC decisions (issue 17). */
import type { ContextField, SsvcOutcome, SsvcPointName } from '@vigil/protocol'

export const OUTCOME_LABEL: Record<SsvcOutcome, string> = {
  immediate: 'Immediate',
  'out-of-cycle': 'Out-of-cycle',
  scheduled: 'Scheduled',
  defer: 'Defer',
}

export const OUTCOMES: readonly SsvcOutcome[] = ['immediate', 'out-of-cycle', 'scheduled', 'defer']

/** The choices of each enumerated context field ('' = unknown). */
export const CONTEXT_CHOICES: Partial<Record<ContextField, readonly string[]>> = {
  clinicalFunction: [
    'life-sustaining',
    'therapeutic',
    'diagnostic',
    'monitoring',
    'clinical-support',
    'non-clinical',
  ],
  safetyImpact: ['negligible', 'marginal', 'critical', 'catastrophic'],
  missionImpact: ['degraded', 'mef-support-crippled', 'mef-failure', 'mission-failure'],
  exposure: ['small', 'controlled', 'open'],
}

export const CONTEXT_LABEL: Record<ContextField, string> = {
  clinicalFunction: 'Clinical function',
  safetyImpact: 'Safety impact',
  missionImpact: 'Mission impact',
  ephi: 'Patient data (ePHI)',
  exposure: 'Network exposure',
  location: 'Location / department',
  owner: 'Responsible owner',
}

export const POINT_LABEL: Record<SsvcPointName | 'humanImpact', string> = {
  exploitation: 'Exploitation',
  exposure: 'System exposure',
  automatable: 'Automatable',
  safetyImpact: 'Safety impact',
  missionImpact: 'Mission impact',
  humanImpact: 'Human impact',
}

export const POINT_VALUES: Record<SsvcPointName, readonly string[]> = {
  exploitation: ['none', 'public poc', 'active'],
  exposure: ['small', 'controlled', 'open'],
  automatable: ['no', 'yes'],
  safetyImpact: ['negligible', 'marginal', 'critical', 'catastrophic'],
  missionImpact: ['degraded', 'mef-support-crippled', 'mef-failure', 'mission-failure'],
}
