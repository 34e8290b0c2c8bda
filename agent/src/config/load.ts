/**
 * Loads the agent configuration: defaults < config file < environment < explicit overrides.
 * This is the only module of the agent that reads `process.env`. Every problem is listed at once;
 * the result is deeply frozen.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { applyDefaults } from '@vigil/protocol/wire'
import type { AgentConfig } from '../schemas/agent-config.js'
import { DEFAULT_STATE_DIR } from '../schemas/defaults.js'
import { validators } from '../schemas/validators.js'

export class ConfigError extends Error {
  readonly code = 'VIGIL_AGENT_CONFIG'
  constructor(readonly problems: string[]) {
    super(`invalid agent configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

export interface LoadAgentConfigOptions {
  /** explicit config file; otherwise `<stateDir>/agent.json` when it exists */
  file?: string
  /** state directory from the command line (wins over `VIGIL_AGENT_DIR`) */
  stateDir?: string
  /** values that win over everything (tests, simulate) */
  overrides?: Record<string, unknown>
  /** environment to read; defaults to `process.env` */
  env?: Record<string, string | undefined>
}

type Env = Record<string, string | undefined>

/** Environment variables understood by the agent, each mapped to a config path. */
const ENV_MAP: Record<string, { path: string[]; type: 'string' | 'int' }> = {
  VIGIL_AGENT_DIR: { path: ['stateDir'], type: 'string' },
  VIGIL_AGENT_NAME: { path: ['name'], type: 'string' },
  VIGIL_AGENT_TELEMETRY_INTERVAL: { path: ['telemetryIntervalSec'], type: 'int' },
  VIGIL_AGENT_INVENTORY_INTERVAL: { path: ['inventoryIntervalSec'], type: 'int' },
  VIGIL_AGENT_HARDENING_INTERVAL: { path: ['hardeningIntervalSec'], type: 'int' },
  VIGIL_AGENT_VENDOR: { path: ['identity', 'vendor'], type: 'string' },
  VIGIL_AGENT_MODEL: { path: ['identity', 'model'], type: 'string' },
  VIGIL_AGENT_SERIAL: { path: ['identity', 'serial'], type: 'string' },
  VIGIL_AGENT_CPE: { path: ['identity', 'cpe'], type: 'string' },
  VIGIL_AGENT_PURL: { path: ['identity', 'purl'], type: 'string' },
  VIGIL_AGENT_FIRMWARE_VERSION: { path: ['identity', 'firmwareVersion'], type: 'string' },
  VIGIL_AGENT_FIRMWARE_FILE: { path: ['identity', 'firmwareFile'], type: 'string' },
  VIGIL_AGENT_FIRMWARE_COMMAND: { path: ['identity', 'firmwareCommand'], type: 'string' },
  VIGIL_AGENT_BASELINE_FILE: { path: ['baselineFile'], type: 'string' },
  VIGIL_AGENT_MQTT_CA_FILE: { path: ['mqttCaFile'], type: 'string' },
  VIGIL_AGENT_LOG_LEVEL: { path: ['logLevel'], type: 'string' },
}

const validator = validators.agentConfig

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k]
    out[k] = isRecord(prev) && isRecord(v) ? merge(prev, v) : v
  }
  return out
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (!isRecord(next)) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  const last = path[path.length - 1]
  if (last !== undefined) node[last] = value
}

function fromEnv(env: Env, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(ENV_MAP)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    if (spec.type === 'int') {
      const n = Number(raw)
      if (!Number.isInteger(n)) problems.push(`${name}: expected an integer, got ${JSON.stringify(raw)}`)
      else setPath(out, spec.path, n)
    } else setPath(out, spec.path, raw)
  }
  return out
}

function readFileConfig(file: string, required: boolean, problems: string[]): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    problems.push(`${file}: cannot read (${(err as Error).message})`)
    return {}
  }
  try {
    const value: unknown = JSON.parse(text)
    if (isRecord(value)) return value
    problems.push(`${file}: must hold a JSON object`)
  } catch (err) {
    problems.push(`${file}: not valid JSON (${(err as Error).message})`)
  }
  return {}
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

export function loadAgentConfig(options: LoadAgentConfigOptions = {}): AgentConfig {
  const env = options.env ?? process.env
  const problems: string[] = []
  const envValues = fromEnv(env, problems)
  const stateDir =
    options.stateDir ??
    (typeof envValues.stateDir === 'string' ? envValues.stateDir : undefined) ??
    (typeof options.overrides?.stateDir === 'string' ? options.overrides.stateDir : DEFAULT_STATE_DIR)
  const fileValues = options.file
    ? readFileConfig(options.file, true, problems)
    : readFileConfig(join(stateDir, 'agent.json'), false, problems)
  let merged = merge(fileValues, envValues)
  merged = merge(merged, options.overrides ?? {})
  merged.stateDir = options.stateDir ?? merged.stateDir ?? stateDir
  const withDefaults = applyDefaults(validator.schema, merged)
  problems.push(...validator.errors(withDefaults, 100))
  if (isRecord(withDefaults) && isRecord(withDefaults.reconnect)) {
    const { minMs, maxMs } = withDefaults.reconnect
    if (typeof minMs === 'number' && typeof maxMs === 'number' && minMs > maxMs) {
      problems.push('/reconnect: minMs must not exceed maxMs')
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(withDefaults as AgentConfig)
}

/** Terminal preferences for the CLI (NO_COLOR, https://no-color.org). */
export function terminalPrefs(env: Env = process.env): { color: boolean } {
  return { color: env.NO_COLOR === undefined || env.NO_COLOR === '' }
}
