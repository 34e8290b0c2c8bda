/**
 * Everything the running agent holds, in one typed object: what it was given (config, clock, log),
 * what it opened (credentials, outbox, link), what it last collected and reported, and its status
 * counters. The daemon's modules take this object and change only the fields they own (written next to
 * each field); `createAgent` builds it once.
 */
import type {
  CheckResult,
  DeviceIdentity,
  HardeningBaseline,
  HardeningReport,
  Inventory,
} from '@vigil/protocol'
import type { Clock } from '../clock.js'
import type { Credentials } from '../credentials.js'
import { type BaselineSource, DEFAULT_BASELINE } from '../hardening/baseline.js'
import type { Link } from '../link/mqtt-link.js'
import type { Logger } from '../logger.js'
import type { Outbox } from '../outbox/outbox.js'
import type { AgentConfig } from '../schemas/agent-config.js'
import type { AgentMemory } from '../state-files/paths.js'
import type { AgentStatus } from './status.js'

export interface AgentState {
  readonly config: AgentConfig
  /** `config.stateDir` */
  readonly dir: string
  readonly clock: Clock
  readonly log: Logger
  /** given, or read from the state directory at start (agent.ts) */
  creds: Credentials | undefined
  /** opened at start (agent.ts) */
  outbox: Outbox | undefined
  /** connected at start, closed at stop (connection.ts, agent.ts) */
  link: Link | undefined
  /** what was last reported, kept in `memory.json` (memory.ts, scan.ts, baseline.ts) */
  memory: AgentMemory
  /** the hardening baseline in force and where it came from (baseline.ts) */
  baseline: HardeningBaseline
  baselineSource: BaselineSource
  /** the last collected inventory and identity (scan.ts) */
  inventory: Inventory | undefined
  identity: DeviceIdentity | undefined
  /** the last hardening run (scan.ts) */
  results: CheckResult[]
  hardeningHash: string
  lastReport: HardeningReport | undefined
  /** counter in event ids (events.ts) */
  eventCounter: number
  /** set by stop(): nothing new starts */
  stopping: boolean
  /** inbound messages (commands, baselines) being handled (connection.ts) */
  readonly inbound: Set<Promise<void>>
  /** status counters for `vigil-agent status` (connection.ts, delivery) */
  readonly status: Pick<AgentStatus, 'startedAt' | 'lastConnectAt' | 'lastReportAt' | 'lastError'>
}

export interface StateInput {
  config: AgentConfig
  clock: Clock
  log: Logger
  creds: Credentials | undefined
}

export function createState(i: StateInput): AgentState {
  return {
    config: i.config,
    dir: i.config.stateDir,
    clock: i.clock,
    log: i.log,
    creds: i.creds,
    outbox: undefined,
    link: undefined,
    memory: {},
    baseline: DEFAULT_BASELINE,
    baselineSource: 'default',
    inventory: undefined,
    identity: undefined,
    results: [],
    hardeningHash: '',
    lastReport: undefined,
    eventCounter: 0,
    stopping: false,
    inbound: new Set(),
    status: {
      startedAt: i.clock.now().toISOString(),
      lastConnectAt: null,
      lastReportAt: null,
      lastError: null,
    },
  }
}

/** The device id of the credentials (throws before start when none were given). */
export function deviceIdOf(s: AgentState): string {
  if (!s.creds) throw new Error('agent not started')
  return s.creds.deviceId
}
