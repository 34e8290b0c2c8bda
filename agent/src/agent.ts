/**
 * The agent loop, kept thin: collectors produce protocol messages, the outbox makes state durable, the
 * link delivers. `start()` sets everything up; `stop()` undoes it (shutdown state, timers, link).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type {
  CheckResult,
  DeviceEventKind,
  DeviceIdentity,
  DeviceMessageKind,
  DeviceState,
  HardeningBaseline,
  HardeningReport,
  Inventory,
} from '@vigil/protocol'
import { topics } from '@vigil/protocol/wire'
import { createDelivery } from './agent-delivery.js'
import { createInbound } from './agent-inbound.js'
import { birthState, deviceEvent, offlineState } from './agent-messages.js'
import { createSchedule } from './agent-schedule.js'
import { type AgentStatus, buildStatus } from './agent-status.js'
import {
  type BaselineSource,
  DEFAULT_BASELINE,
  loadBaselineFile,
  shouldReplace,
  validateBaseline,
} from './baseline.js'
import { type Clock, systemClock, within } from './clock.js'
import { type AgentCollectors, defaultCollectors } from './collectors/index.js'
import { createCommandHandlers } from './commands/handlers.js'
import type { AgentConfig } from './config/schema.js'
import { type Credentials, readCredentials } from './credentials.js'
import { buildReport, runBaseline } from './hardening/run.js'
import { createLink, type Link, type Transport } from './link/mqtt-link.js'
import { createLogger, type Logger } from './logger.js'
import { createManifestManager } from './manifest/manager.js'
import { createOutbox, type Outbox, type OutboxFs } from './outbox/outbox.js'
import { type AgentMemory, memoryPath, readJson, statusPath, writeJsonAtomic } from './store.js'
import { AGENT_VERSION } from './version.js'

/** Bounds on each step of `stop()` (the link's close adds at most ~2.5 s). */
export const STOP_BUDGET_MS = { runs: 2000, flush: 2000 }

export interface CreateAgentOptions {
  config: AgentConfig
  credentials?: Credentials
  transport?: Transport
  clock?: Clock
  collectors?: AgentCollectors
  logger?: Logger
  outboxFs?: OutboxFs
  /** write `<stateDir>/status.json` for `vigil-agent status` (default true) */
  statusFile?: boolean
  random?: () => number
}

export interface Agent {
  start(): Promise<void>
  stop(): Promise<void>
  status(): AgentStatus
  /** collect inventory and hardening now; enqueue what changed (or everything when forced) */
  rescan(force?: {
    inventory?: boolean
    hardening?: boolean
  }): Promise<{ inventoryHash: string; hardeningHash: string }>
  readonly deviceId: string
}

export function createAgent(options: CreateAgentOptions): Agent {
  const { config } = options
  const clock = options.clock ?? systemClock
  const log = options.logger ?? createLogger(config.logLevel)
  const collectors = options.collectors ?? defaultCollectors(config)
  const dir = config.stateDir
  let creds: Credentials | undefined = options.credentials
  let outbox: Outbox | undefined
  let link: Link | undefined
  let memory: AgentMemory = {}
  let baseline: HardeningBaseline = DEFAULT_BASELINE
  let baselineSource: BaselineSource = 'default'
  let inventory: Inventory | undefined
  let identity: DeviceIdentity | undefined
  let results: CheckResult[] = []
  let hardeningHash = ''
  let lastReport: HardeningReport | undefined
  let serial: Promise<unknown> = Promise.resolve()
  let eventCounter = 0
  let stopping = false
  /** inbound messages (commands, baselines) being handled */
  const inbound = new Set<Promise<void>>()
  const st = {
    startedAt: clock.now().toISOString(),
    lastConnectAt: null as string | null,
    lastReportAt: null as string | null,
    lastError: null as AgentStatus['lastError'],
  }

  const now = () => clock.now()
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = serial.then(fn, fn)
    serial = run.catch(() => undefined)
    return run
  }
  // What was last reported; losing a write (disk full) only means resending after a restart.
  const saveMemory = () =>
    writeJsonAtomic(memoryPath(dir), memory).catch((err: Error) =>
      log.warn(`cannot save ${memoryPath(dir)}: ${err.message}`),
    )

  async function emit(kind: DeviceEventKind, message: string, data?: Record<string, unknown>): Promise<void> {
    await enqueue('event', deviceEvent(now(), eventCounter++, kind, message, data))
  }

  const topicOf = (kind: DeviceMessageKind): string => topics.device(deviceId(), kind)
  const delivery = createDelivery({
    outbox: () => outbox,
    link: () => link,
    topicOf,
    delivered: () => {
      st.lastReportAt = now().toISOString()
    },
    clock,
    log,
  })
  const { enqueue, drain } = delivery

  const birth = (): DeviceState =>
    birthState({
      now: now(),
      baseline,
      telemetryIntervalSec: config.telemetryIntervalSec,
      identity,
      inventoryHash: inventory?.hash,
      hardeningHash,
      trust: manifests.trustHeld(),
    })

  /** Collects the inventory; enqueues it when it changed (or `force`). Answers whether it was enqueued. */
  async function collectInventory(force: boolean): Promise<boolean> {
    const inv = await collectors.inventory(now())
    inventory = inv
    identity = await collectors.identity(inv)
    if (inv.errors?.length)
      log.warn(`inventory: ${inv.errors.length} collector errors, first: ${inv.errors[0]}`)
    if (force || inv.hash !== memory.inventoryHash) {
      await enqueue('inventory', inv)
      if (inv.errors?.length)
        await emit('collector-error', `inventory collected with ${inv.errors.length} errors`, {
          errors: inv.errors.slice(0, 20),
        })
      memory.inventoryHash = inv.hash
      await saveMemory()
      return true
    }
    return false
  }

  /** Runs the baseline; enqueues the report when it changed or drifted (or `force`). Answers whether it was. */
  async function collectHardening(force: boolean): Promise<boolean> {
    const current = await runBaseline(baseline, collectors.checkEnv)
    const report = buildReport(baseline, current, memory.lastResults, now())
    results = current
    hardeningHash = report.hash
    lastReport = report
    if (force || report.hash !== memory.hardeningHash || report.drift.length > 0) {
      await enqueue('hardening', report)
      for (const d of report.drift)
        await emit('drift', `${d.id}: ${d.from ?? 'new'} → ${d.to}: ${d.detail}`.slice(0, 2048), {
          check: d.id,
        })
      memory.hardeningHash = report.hash
      memory.lastResults = current
      await saveMemory()
      return true
    }
    return false
  }

  const rescan: Agent['rescan'] = (force = {}) =>
    exclusive(async () => {
      await collectInventory(force.inventory ?? false)
      await collectHardening(force.hardening ?? false)
      return { inventoryHash: inventory?.hash ?? '', hardeningHash }
    })

  async function applyBaseline(
    incoming: unknown,
    source: BaselineSource,
  ): Promise<{ applied: boolean; message: string }> {
    const v = validateBaseline(incoming)
    if (!v.ok) {
      log.warn(`baseline refused: ${v.message}`)
      await emit(
        'baseline-rejected',
        `baseline refused, ${baseline.id} v${baseline.version} stays in force: ${v.message}`,
      )
      return { applied: false, message: v.message }
    }
    if (!shouldReplace(baseline, v.baseline) && baselineSource === source) {
      return {
        applied: false,
        message: `baseline ${v.baseline.id} v${v.baseline.version} is already in force or older`,
      }
    }
    baseline = v.baseline
    baselineSource = source
    if (source === 'hub') {
      memory.baseline = v.baseline
      await saveMemory()
    }
    await emit('baseline-applied', `baseline ${baseline.id} v${baseline.version} applied`, {
      id: baseline.id,
      version: baseline.version,
    })
    await exclusive(() => collectHardening(false))
    return { applied: true, message: `baseline ${baseline.id} v${baseline.version} applied` }
  }

  /**
   * On the hub's request: send the current report, unless that very report is still queued (the hub asks
   * on a birth that overtook the queued report; it will have it in a moment, in order).
   */
  const sendOnRequest = (kind: 'inventory' | 'hardening') =>
    exclusive(async () => {
      const sent = kind === 'inventory' ? await collectInventory(false) : await collectHardening(false)
      const payload = kind === 'inventory' ? inventory : lastReport
      const hash = payload?.hash ?? ''
      const queued = outbox?.pending(kind).some((p) => (p as { hash?: unknown }).hash === hash) ?? false
      if (payload && !sent && !queued) await enqueue(kind, payload)
      return { inventoryHash: inventory?.hash ?? '', hardeningHash }
    })

  const manifests = createManifestManager({
    stateDir: dir,
    config: config.manifests ?? { hookTimeoutSec: 1800, downloadTimeoutSec: 600 },
    now,
    report: (status) => enqueue('rollout', status),
    onInstalled: () => rescan({ inventory: true }),
    log,
  })

  const handlers = createCommandHandlers({
    rescan: () => rescan(),
    sendInventory: () => sendOnRequest('inventory'),
    sendHardening: () => sendOnRequest('hardening'),
    applyBaseline: (b) => applyBaseline(b, 'hub'),
    now,
    manifests,
  })

  const onMessage = createInbound({ log, handlers, applyBaseline, enqueue })

  async function tickTelemetry(): Promise<void> {
    let sample: Awaited<ReturnType<AgentCollectors['telemetry']>>
    try {
      sample = await collectors.telemetry(now())
    } catch (err) {
      log.warn(`telemetry: ${(err as Error).message}`)
      return
    }
    await delivery.sendTelemetry(sample)
  }

  function deviceId(): string {
    if (!creds) throw new Error('agent not started')
    return creds.deviceId
  }

  const status = (): AgentStatus =>
    buildStatus({
      now: now(),
      st,
      creds,
      connected: link?.connected ?? false,
      outbox: outbox?.depth() ?? { state: 0, telemetry: 0 },
      baseline,
      baselineSource,
      results,
      inventory,
      manifests: manifests.summary(),
    })

  async function writeStatus(running = true): Promise<void> {
    if (options.statusFile === false) return
    try {
      await writeJsonAtomic(statusPath(dir), { ...status(), running }, 0o644)
    } catch (err) {
      log.warn(`cannot write the status file: ${(err as Error).message}`)
    }
  }

  const schedule = createSchedule(clock, log)
  const every = schedule.every

  return {
    get deviceId() {
      return deviceId()
    },
    status,
    rescan,
    async start() {
      creds ??= await readCredentials(dir)
      const mem = await readJson(memoryPath(dir)).catch(() => undefined)
      if (mem && typeof mem === 'object') memory = mem as AgentMemory
      outbox = createOutbox({
        dir: join(dir, 'outbox'),
        maxTelemetry: config.outbox.maxTelemetry,
        ...(options.outboxFs ? { fs: options.outboxFs } : {}),
        onError: (m) => log.warn(m),
      })
      await outbox.load()
      await manifests.start()
      if (memory.baseline && validateBaseline(memory.baseline).ok) {
        baseline = memory.baseline
        baselineSource = 'hub'
      } else if (config.baselineFile) {
        const r = await loadBaselineFile(config.baselineFile)
        if (r.ok) {
          baseline = r.baseline
          baselineSource = 'file'
        } else
          await emit('baseline-rejected', `local baseline refused, the default stays in force: ${r.message}`)
      }
      await rescan()
      await emit('agent-started', `vigil-agent ${AGENT_VERSION} started`)
      const c = creds
      const ca = config.mqttCaFile ? await readFile(config.mqttCaFile, 'utf8') : undefined
      link = createLink({
        ...(ca ? { ca } : {}),
        url: c.mqtt.url,
        clientId: c.deviceId,
        username: c.mqtt.username,
        password: c.mqtt.password,
        will: {
          topic: topicOf('state'),
          payload: JSON.stringify(offlineState(now(), 'will')),
        },
        reconnect: config.reconnect,
        subscriptions: [topics.command(c.deviceId), topics.baseline()],
        clock,
        ...(options.transport ? { transport: options.transport } : {}),
        ...(options.random ? { random: options.random } : {}),
        onConnect: () => {
          st.lastConnectAt = now().toISOString()
          st.lastError = null
          log.info(`connected to ${c.mqtt.url} as ${c.deviceId}`)
          const l = link
          if (!l) return
          l.publish(topicOf('state'), JSON.stringify(birth()), { qos: 1, retain: true })
            .then(() => drain())
            .catch((err: Error) => log.debug(`birth not delivered: ${err.message}`))
          void writeStatus()
        },
        onDisconnect: () => {
          void writeStatus()
        },
        onMessage: (topic, payload) => {
          // While stopping, nothing new starts (a command is asked again at the next birth).
          if (stopping) return log.debug(`stopping: ${topic} ignored`)
          const run = onMessage(topic, payload)
            .catch((err: Error) => log.error(`message on ${topic}: ${err.message}`))
            .finally(() => inbound.delete(run))
          inbound.add(run)
        },
        onError: (message, code) => {
          st.lastError = { code, message, at: now().toISOString() }
          log.warn(`link: ${message}`)
        },
        onReconnectScheduled: (ms, attempt) => log.debug(`reconnect attempt ${attempt} in ${ms} ms`),
      })
      every(config.telemetryIntervalSec, tickTelemetry)
      every(config.inventoryIntervalSec, () => exclusive(() => collectInventory(false)))
      every(config.hardeningIntervalSec, () => exclusive(() => collectHardening(false)))
      every(config.statusIntervalSec, () => writeStatus())
      await writeStatus()
    },
    /**
     * Stops within a few seconds in every state (connected, hub down, reconnecting): no new runs, the
     * runs in flight and pending outbox writes get a bounded wait, what is queued is delivered while
     * the link is up (STOP_BUDGET_MS.flush), then the orderly offline state and DISCONNECT. Anything
     * not delivered stays in the outbox on disk for the next start.
     */
    async stop() {
      stopping = true
      await within(clock, Promise.all([schedule.stop(), ...inbound]), STOP_BUDGET_MS.runs)
      await within(clock, serial, STOP_BUDGET_MS.runs)
      await delivery.flush(STOP_BUDGET_MS.flush)
      const l = link
      link = undefined
      if (l) {
        await l.close({ topic: topicOf('state'), payload: JSON.stringify(offlineState(now(), 'shutdown')) })
      }
      await writeStatus(false)
    },
  }
}
