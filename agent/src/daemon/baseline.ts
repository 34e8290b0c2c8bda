/**
 * The hardening baseline in force: at start the hub's (remembered), else the local file, else the
 * default; afterwards the hub's retained baseline or a command replaces it when it is valid and newer
 * (or comes from another source), and the hardening run follows at once.
 */
import {
  type BaselineSource,
  loadBaselineFile,
  shouldReplace,
  validateBaseline,
} from '../hardening/baseline.js'
import type { Emit } from './events.js'
import { saveMemory } from './memory.js'
import type { AgentState } from './state.js'

export interface BaselineDeps {
  emit: Emit
  /** runs the hardening collection after a change (in the serial queue) */
  rerun(): Promise<unknown>
}

export type ApplyBaseline = (
  incoming: unknown,
  source: BaselineSource,
) => Promise<{ applied: boolean; message: string }>

export function createApplyBaseline(s: AgentState, d: BaselineDeps): ApplyBaseline {
  return async (incoming, source) => {
    const v = validateBaseline(incoming)
    if (!v.ok) {
      s.log.warn(`baseline refused: ${v.message}`)
      await d.emit(
        'baseline-rejected',
        `baseline refused, ${s.baseline.id} v${s.baseline.version} stays in force: ${v.message}`,
      )
      return { applied: false, message: v.message }
    }
    if (!shouldReplace(s.baseline, v.baseline) && s.baselineSource === source) {
      return {
        applied: false,
        message: `baseline ${v.baseline.id} v${v.baseline.version} is already in force or older`,
      }
    }
    s.baseline = v.baseline
    s.baselineSource = source
    if (source === 'hub') {
      s.memory.baseline = v.baseline
      await saveMemory(s)
    }
    const { id, version } = s.baseline
    await d.emit('baseline-applied', `baseline ${id} v${version} applied`, { id, version })
    await d.rerun()
    return { applied: true, message: `baseline ${id} v${version} applied` }
  }
}

/** At start, after the memory was read: the remembered hub baseline, else the local file, else the default. */
export async function loadInitialBaseline(s: AgentState, emit: Emit): Promise<void> {
  if (s.memory.baseline && validateBaseline(s.memory.baseline).ok) {
    s.baseline = s.memory.baseline
    s.baselineSource = 'hub'
  } else if (s.config.baselineFile) {
    const r = await loadBaselineFile(s.config.baselineFile)
    if (r.ok) {
      s.baseline = r.baseline
      s.baselineSource = 'file'
    } else await emit('baseline-rejected', `local baseline refused, the default stays in force: ${r.message}`)
  }
}
