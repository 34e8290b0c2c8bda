/** `<stateDir>/memory.json`: what was last reported, read at start and saved after each report. */
import { readJson, writeJsonAtomic } from '../state-files/json.js'
import { type AgentMemory, memoryPath } from '../state-files/paths.js'
import type { AgentState } from './state.js'

export async function loadMemory(s: AgentState): Promise<void> {
  const mem = await readJson(memoryPath(s.dir)).catch(() => undefined)
  if (mem && typeof mem === 'object') s.memory = mem as AgentMemory
}

/** Losing a write (disk full) only means resending after a restart: logged, never thrown. */
export function saveMemory(s: AgentState): Promise<void> {
  return writeJsonAtomic(memoryPath(s.dir), s.memory).catch((err: Error) =>
    s.log.warn(`cannot save ${memoryPath(s.dir)}: ${err.message}`),
  )
}
