/**
 * The agent, composed: its state is one object (`daemon/state.ts`); collectors produce protocol
 * messages (`daemon/scan.ts`), the outbox makes them durable, delivery publishes them over the link
 * (`daemon/delivery.ts`, `daemon/connection.ts`); inbound commands and baselines are handled by
 * `daemon/inbound.ts` and `daemon/baseline.ts`. `start()` sets everything up; `stop()` undoes it
 * (shutdown state, timers, link).
 */
import { join } from 'node:path'
import type { DeviceEventKind, DeviceMessageKind, DeviceState } from '@vigil/protocol'
import { topics } from '@vigil/protocol/wire'
import { type Clock, systemClock, within } from './clock.js'
import { type AgentCollectors, defaultCollectors } from './collectors/index.js'
import { createCommandHandlers } from './commands/handlers.js'
import { type Credentials, readCredentials } from './credentials.js'
import { createApplyBaseline, loadInitialBaseline } from './daemon/baseline.js'
import { connect } from './daemon/connection.js'
import { createDelivery } from './daemon/delivery.js'
import { createEmit } from './daemon/events.js'
import { createInbound } from './daemon/inbound.js'
import { loadMemory } from './daemon/memory.js'
import { birthState, offlineState } from './daemon/messages.js'
import { createScanner, type Hashes } from './daemon/scan.js'
import { createSchedule } from './daemon/schedule.js'
import { createSerial } from './daemon/serial.js'
import { createState, deviceIdOf } from './daemon/state.js'
import { type AgentStatus, statusOf, writeStatusFile } from './daemon/status.js'
import type { Transport } from './link/mqtt-link.js'
import { createLogger, type Logger } from './logger.js'
import { createManifestManager } from './manifest/manager.js'
import { createOutbox, type OutboxFs } from './outbox/outbox.js'
import type { AgentConfig } from './schemas/agent-config.js'
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
  /**
   * Called once for each state message the broker acknowledged (QoS 1 PUBACK), with its per-device
   * sequence: the simulator's `--ack-log`.
   */
  onAcked?(message: AckedMessage): void
}

export interface AckedMessage {
  kind: Exclude<DeviceMessageKind, 'telemetry'>
  epoch: string
  seq: number
}

export interface Agent {
  start(): Promise<void>
  stop(): Promise<void>
  status(): AgentStatus
  /** collect inventory and hardening now; enqueue what changed (or everything when forced) */
  rescan(force?: { inventory?: boolean; hardening?: boolean }): Promise<Hashes>
  /** records a device event (through the outbox, like the agent's own): the simulator's traffic */
  emit(kind: DeviceEventKind, message: string, data?: Record<string, unknown>): Promise<void>
  readonly deviceId: string
}

export function createAgent(options: CreateAgentOptions): Agent {
  const { config } = options
  const clock = options.clock ?? systemClock
  const log = options.logger ?? createLogger(config.logLevel)
  const collectors = options.collectors ?? defaultCollectors(config)
  const s = createState({ config, clock, log, creds: options.credentials })
  const now = () => clock.now()
  const serial = createSerial()
  const schedule = createSchedule(clock, log)

  const topicOf = (kind: DeviceMessageKind): string => topics.device(deviceIdOf(s), kind)
  const delivery = createDelivery({
    outbox: () => s.outbox,
    link: () => s.link,
    topicOf,
    delivered: (item) => {
      s.status.lastReportAt = now().toISOString()
      if (item && item.kind !== 'telemetry' && options.onAcked) {
        const { seq, epoch } = item.payload as { seq?: number; epoch?: string }
        if (typeof seq === 'number' && typeof epoch === 'string')
          options.onAcked({ kind: item.kind, epoch, seq })
      }
    },
    clock,
    log,
  })
  const { enqueue } = delivery
  const emit = createEmit(s, enqueue)
  const scanner = createScanner(s, { collectors, serial, enqueue, emit })
  const applyBaseline = createApplyBaseline(s, {
    emit,
    rerun: () => serial.run(() => scanner.collectHardening(false)),
  })

  const manifests = createManifestManager({
    stateDir: s.dir,
    config: config.manifests ?? { hookTimeoutSec: 1800, downloadTimeoutSec: 600 },
    now,
    report: (status) => enqueue('rollout', status),
    onInstalled: () => scanner.rescan({ inventory: true }),
    log,
  })
  const handlers = createCommandHandlers({
    rescan: () => scanner.rescan(),
    sendInventory: () => scanner.sendOnRequest('inventory'),
    sendHardening: () => scanner.sendOnRequest('hardening'),
    applyBaseline: (b) => applyBaseline(b, 'hub'),
    now,
    manifests,
  })
  const onMessage = createInbound({ log, handlers, applyBaseline, enqueue })

  const birth = (): DeviceState =>
    birthState({
      now: now(),
      baseline: s.baseline,
      telemetryIntervalSec: config.telemetryIntervalSec,
      identity: s.identity,
      inventoryHash: s.inventory?.hash,
      hardeningHash: s.hardeningHash,
      trust: manifests.trustHeld(),
    })
  const status = (): AgentStatus => statusOf(s, manifests.summary())
  const writeStatus = async (running = true): Promise<void> => {
    if (options.statusFile !== false) await writeStatusFile(s.dir, { ...status(), running }, log)
  }

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

  return {
    get deviceId() {
      return deviceIdOf(s)
    },
    status,
    rescan: scanner.rescan,
    emit: (kind, message, data) => emit(kind, message, data),
    async start() {
      s.creds ??= await readCredentials(s.dir)
      await loadMemory(s)
      s.outbox = createOutbox({
        dir: join(s.dir, 'outbox'),
        maxTelemetry: config.outbox.maxTelemetry,
        ...(options.outboxFs ? { fs: options.outboxFs } : {}),
        onError: (m) => log.warn(m),
      })
      await s.outbox.load()
      await manifests.start()
      await loadInitialBaseline(s, emit)
      await scanner.rescan()
      await emit('agent-started', `vigil-agent ${AGENT_VERSION} started`)
      await connect(s, {
        topicOf,
        birth,
        drain: delivery.drain,
        onMessage,
        writeStatus: () => writeStatus(),
        transport: options.transport,
        random: options.random,
      })
      schedule.every(config.telemetryIntervalSec, tickTelemetry)
      schedule.every(config.inventoryIntervalSec, () => serial.run(() => scanner.collectInventory(false)))
      schedule.every(config.hardeningIntervalSec, () => serial.run(() => scanner.collectHardening(false)))
      schedule.every(config.statusIntervalSec, () => writeStatus())
      await writeStatus()
    },
    /**
     * Stops within a few seconds in every state (connected, hub down, reconnecting): no new runs, the
     * runs in flight and pending outbox writes get a bounded wait, what is queued is delivered while
     * the link is up (STOP_BUDGET_MS.flush), then the orderly offline state and DISCONNECT. Anything
     * not delivered stays in the outbox on disk for the next start.
     */
    async stop() {
      s.stopping = true
      await within(clock, Promise.all([schedule.stop(), ...s.inbound]), STOP_BUDGET_MS.runs)
      await within(clock, serial.idle(), STOP_BUDGET_MS.runs)
      await delivery.flush(STOP_BUDGET_MS.flush)
      const l = s.link
      s.link = undefined
      if (l) {
        await l.close({ topic: topicOf('state'), payload: JSON.stringify(offlineState(now(), 'shutdown')) })
      }
      await writeStatus(false)
    },
  }
}
