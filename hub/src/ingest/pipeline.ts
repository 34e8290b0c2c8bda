/**
 * The ingest pipeline: validate (compiled validator) → drop duplicates by the agent's sequence → update
 * the device's state → commit (group commit) → hand to the hooks → emit to dashboards. Correlation of a
 * new inventory (`onInventory`) runs after the commit, off the acknowledgement's path (`LatestPerDevice`).
 * One handler per message kind in a lookup table; nothing throws into the broker: every failure is
 * logged and counted.
 *
 * The function answers, for a message that must be acknowledged, a promise that settles once what it
 * changed is durable: the broker sends PUBACK only then. A rejected promise means "not stored": the
 * broker does not acknowledge and the agent delivers it again. Invalid messages are acknowledged and
 * dropped (redelivery would not make them valid).
 */

import { isUtf8 } from 'node:buffer'
import {
  type CommandResponse,
  compile,
  DEVICE_MESSAGES,
  type DeviceEvent,
  type DeviceMessageKind,
  type DeviceState,
  type HardeningReport,
  type Inventory,
  type RolloutStatus,
  type Static,
  type Telemetry,
  type Validator,
} from '@vigil/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { CommandDispatcher } from '../devices/commands.js'
import type { DeviceRegistry } from '../devices/registry.js'
import type { TelemetryHistory } from '../devices/telemetry-history.js'
import type { HubEvents } from '../events/hub-events.js'
import type { HubMetrics } from '../metrics/metrics.js'
import type { KindTally } from '../metrics/tallies.js'
import { failingCheckCount } from '../risk/posture/score.js'
import { StorageError, toStorageError } from '../store/errors.js'
import { type DeviceEventRecord, type DeviceRecord, deviceEventKey, type Store } from '../store/types.js'
import type { BlobCollector } from './blob-collector.js'
import { hardeningContentHash, inventoryContentHash } from './content-hash.js'
import type { IngestHookSet } from './hooks.js'
import type { InboundMessage, RejectReason } from './inbound.js'
import { LatestPerDevice } from './latest-per-device.js'

/** A device clock further than this from the hub's is flagged on the device. */
export const CLOCK_SKEW_THRESHOLD_MS = 5 * 60 * 1000

/** Payload limits per kind (the broker's packet limit caps inventories). */
const LIMITS: Record<DeviceMessageKind, number> = {
  state: 64 * 1024,
  telemetry: 64 * 1024,
  event: 64 * 1024,
  rollout: 64 * 1024,
  'cmd/res': 256 * 1024,
  hardening: 2 * 1024 * 1024,
  inventory: Number.POSITIVE_INFINITY,
}

export interface IngestDeps {
  store: Store
  registry: DeviceRegistry
  telemetry: TelemetryHistory
  events: HubEvents
  metrics: HubMetrics
  hooks: IngestHookSet
  commands: CommandDispatcher
  log: FastifyBaseLogger
  /** Whether the device holds a live broker connection (undefined: unknown, external broker). */
  isConnected(deviceId: string): boolean | undefined
  /** External broker mode: the broker authenticated the device, so an unknown id is registered. */
  adoptUnknownDevices: boolean
  /**
   * Inventories and hardening reports are taken from one device at most this often (each kind); one
   * inside the interval is acknowledged and dropped before any parsing, unless the hub asked for it.
   * Default 0 (no limit).
   */
  reportMinIntervalMs?: number
  /** Told of every inventory/report stored or linked, so its sweep never collects one in flight. */
  blobs?: BlobCollector
  /** Runs of the `onInventory` hooks not started yet (metrics, tests). */
  onCorrelationQueue?(queue: { size: number; idle(): Promise<void> }): void
  now?: () => Date
}

/** The agent's per-device sequence (protocol README), present on messages from its outbox. */
interface Sequenced {
  seq?: number
  epoch?: string
}

type Validators = { [K in DeviceMessageKind]: Validator<(typeof DEVICE_MESSAGES)[K]['schema']> }
type Payload<K extends DeviceMessageKind> = Static<(typeof DEVICE_MESSAGES)[K]['schema']>
/**
 * `exact` is the payload's JSON text as received when `JSON.parse` of it gives exactly the validated
 * value (nothing undeclared was stripped); otherwise undefined. A handler that keeps the value as text
 * (a stored inventory or hardening report) keeps it instead of serialising again.
 *
 * `applied()` records the message's sequence number; an asynchronous handler calls it inside
 * `store.atomic` with its main change, so that after a crash both are there or neither (a synchronous
 * handler's changes are made atomic with it by `run`).
 *
 * `afterCommit(fn)` runs `fn` once the message's commit has settled (after the acknowledgement):
 * work that follows from the message but is not part of storing it.
 */
type Handler<K extends DeviceMessageKind> = (
  device: DeviceRecord,
  value: Payload<K>,
  exact: string | undefined,
  applied: () => void,
  afterCommit: (fn: () => void) => void,
) => Promise<void> | void

const VALIDATORS = Object.fromEntries(
  Object.entries(DEVICE_MESSAGES).map(([kind, m]) => [kind, compile(m.schema)]),
) as unknown as Validators

const noop = (): void => {}
const runNow = (fn: () => void): void => fn()

/** `new Date().toISOString()` formatted at most once per millisecond (thousands of messages a second). */
function cachedClock(): () => { toISOString(): string } {
  let lastMs = -1
  let lastIso = ''
  const stamp = { toISOString: () => lastIso }
  return () => {
    const ms = Date.now()
    if (ms !== lastMs) {
      lastMs = ms
      lastIso = new Date(ms).toISOString()
    }
    return stamp
  }
}

type Failure = { ok: false; reason: 'json' | 'schema' | 'size'; message: string }

/**
 * Decodes one payload to its JSON text, or answers why not: over the kind's size limit, or invalid
 * UTF-8 (rejected as 'json', as the fatal TextDecoder did; `isUtf8` lets valid payloads decode without
 * a decoder error path). The caller validates the text and may keep it (a stored inventory).
 */
function decodePayload(kind: DeviceMessageKind, payload: Buffer): string | Failure {
  const limit = LIMITS[kind]
  if (payload.byteLength > limit) {
    return {
      ok: false,
      reason: 'size',
      message: `payload of ${payload.byteLength} bytes exceeds the limit of ${limit}`,
    }
  }
  if (!isUtf8(payload)) return { ok: false, reason: 'json', message: 'not valid JSON: invalid UTF-8' }
  return payload.toString('utf8')
}

export function createIngest(deps: IngestDeps): (msg: InboundMessage) => Promise<void> | undefined {
  const { store, registry, metrics, log } = deps
  const now: () => { toISOString(): string } = deps.now ?? cachedClock()
  const hookError = (err: unknown) => log.error({ err }, 'ingest hook failed')
  // Correlation of new inventories, after their commit; a device's newer inventory replaces one not run yet.
  const correlation = new LatestPerDevice<Inventory>(
    (deviceId, inv) => deps.hooks.run('onInventory', hookError, deviceId, inv),
    hookError,
  )
  deps.onCorrelationQueue?.(correlation)

  const reject = (reason: RejectReason, deviceId: string, message: string) => {
    metrics.rejected.inc({ reason, device: deviceId })
    log.warn({ deviceId, reason }, `rejected device message: ${message}`)
  }

  const feed = (
    device: DeviceRecord,
    kind: 'device-online' | 'device-offline' | DeviceEvent['kind'],
    message: string,
  ) =>
    deps.events.emit('feed', {
      id: `${device.id}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      ts: now().toISOString(),
      deviceId: device.id,
      deviceName: device.name,
      kind,
      message,
    })

  const state: Handler<'state'> = async (device, s: DeviceState, _text, applied) => {
    // Ordered by arrival (and the agent's sequence), never by the device's clock: a will published
    // after a session take-over cannot mark the live device offline, because the live one is connected.
    const online = s.status === 'online' ? true : (deps.isConnected(device.id) ?? false)
    const received = Date.now()
    const skew = Date.parse(s.ts) - received
    const patch: Partial<DeviceRecord> = {
      online,
      lastSeen: now().toISOString(),
      stateAt: new Date(received).toISOString(),
      lastState: { status: s.status, ts: s.ts, ...(s.reason ? { reason: s.reason } : {}) },
      clockSkewMs: Number.isFinite(skew) && Math.abs(skew) > CLOCK_SKEW_THRESHOLD_MS ? skew : undefined,
    }
    if (s.identity) patch.identity = s.identity
    if (s.agentVersion) patch.agentVersion = s.agentVersion
    if (s.baseline) patch.baseline = s.baseline
    if (s.trust) patch.trust = s.trust
    const updated = store.atomic(() => {
      const u = registry.update(device.id, patch) ?? device
      applied()
      return u
    })
    if (device.online !== online)
      feed(
        updated,
        online ? 'device-online' : 'device-offline',
        `${updated.name} is ${online ? 'online' : 'offline'}`,
      )
    if (s.status === 'online') {
      // Reconciliation: after any hub data loss, the fleet heals itself.
      if (s.inventoryHash) deps.blobs?.touch('inventory', s.inventoryHash)
      if (s.hardeningHash) deps.blobs?.touch('hardening', s.hardeningHash)
      if (s.inventoryHash && !store.inventories.has(s.inventoryHash)) {
        await deps.commands.send(device.id, { cmd: 'send-inventory' })
      } else if (s.inventoryHash && s.inventoryHash !== device.inventoryHash) {
        registry.update(device.id, { inventoryHash: s.inventoryHash })
      }
      if (s.hardeningHash && !store.hardening.has(s.hardeningHash)) {
        await deps.commands.send(device.id, { cmd: 'send-hardening' })
      } else if (s.hardeningHash && s.hardeningHash !== device.hardeningHash) {
        // A report stored before but never linked (e.g. the hub stopped in between): link it now.
        const report = await store.hardening.get(s.hardeningHash).catch(() => undefined)
        if (report) linkHardening(device.id, report)
        else await deps.commands.send(device.id, { cmd: 'send-hardening' })
      }
    }
    await deps.hooks.run('onDevice', hookError, updated)
  }

  // `device` is the record held by the registry, looked up in this tick: telemetry changes its volatile
  // figures in place (no lookup, no copy per sample); coming online is a persistent change.
  const telemetry: Handler<'telemetry'> = (device, t: Telemetry) => {
    // The validated value (undeclared properties stripped), kept as its numbers.
    deps.telemetry.add(device.id, t)
    const cpuPct = Math.round(t.cpu.loadPct * 10) / 10
    const memUsedPct = t.mem.total > 0 ? Math.round((t.mem.used / t.mem.total) * 1000) / 10 : 0
    const lastSeen = now().toISOString()
    // The hub's receive time: a device clock can be wrong or hostile.
    const telemetryAt = lastSeen
    if (!device.online && deps.isConnected(device.id) !== false) {
      registry.update(device.id, { cpuPct, memUsedPct, telemetryAt, lastSeen, online: true })
    } else {
      device.cpuPct = cpuPct
      device.memUsedPct = memUsedPct
      device.telemetryAt = telemetryAt
      device.lastSeen = lastSeen
      registry.touched(device)
    }
    deps.events.emit('telemetry', { deviceId: device.id, telemetry: t })
  }

  const mismatch = (device: DeviceRecord, kind: string, claimed: string, actual: string) => {
    metrics.ingestRefused.inc({ reason: 'hash-mismatch' })
    metrics.rejected.inc({ reason: 'schema', device: device.id })
    log.warn({ deviceId: device.id, kind, claimed, actual }, `refused ${kind}: its hash is not its content's`)
  }

  const inventory: Handler<'inventory'> = (device, inv: Inventory, exact, applied, afterCommit) => {
    const actual = inventoryContentHash(inv)
    if (actual !== inv.hash) return mismatch(device, 'inventory', inv.hash, actual)
    deps.blobs?.touch('inventory', inv.hash)
    // Staged now, written by the commit round this message waits for, before the device line naming
    // it (its own promise settles with that round: `run`'s commit reports a failure).
    store.inventories.put(inv.hash, inv, exact).catch(() => undefined)
    const updated = store.atomic(() => {
      const u = registry.update(device.id, {
        inventoryHash: inv.hash,
        packages: inv.packages.length,
        lastSeen: now().toISOString(),
        ...(inv.firmwareVersion && device.identity
          ? { identity: { ...device.identity, firmwareVersion: inv.firmwareVersion } }
          : {}),
      })
      applied()
      return u
    })
    if (updated) afterCommit(() => correlation.add(device.id, inv))
  }

  const linkHardening = (deviceId: string, report: HardeningReport) =>
    registry.update(deviceId, {
      hardeningHash: report.hash,
      baseline: report.baseline,
      failingChecks: failingCheckCount(report.results),
      lastSeen: now().toISOString(),
    })

  const hardening: Handler<'hardening'> = async (device, report: HardeningReport, exact, applied) => {
    const actual = hardeningContentHash(report)
    if (actual !== report.hash) return mismatch(device, 'hardening', report.hash, actual)
    deps.blobs?.touch('hardening', report.hash)
    // Staged now, durable with this message's commit round (before the line naming it).
    store.hardening.put(report.hash, report, exact).catch(() => undefined)
    store.atomic(() => {
      linkHardening(device.id, report)
      applied()
    })
    await deps.hooks.run('onHardening', hookError, device.id, report)
  }

  // The agent resends events from its outbox until acknowledged: recent ids per device drop repeats.
  const recentEvents = new Map<string, string[]>()
  const seenBefore = (deviceId: string, id: string) => {
    let ids = recentEvents.get(deviceId)
    if (!ids) {
      ids = []
      recentEvents.set(deviceId, ids)
    }
    if (ids.includes(id)) return true
    ids.push(id)
    if (ids.length > 256) ids.shift()
    return false
  }

  /** Dedup keys of events this hub appended whose commit has not answered yet (several hubs). */
  const eventsInFlight = new Set<string>()
  const event: Handler<'event'> = (device, e: DeviceEvent & Sequenced) => {
    if (e.seq === undefined && seenBefore(device.id, e.id)) return
    const record: DeviceEventRecord = { deviceId: device.id, receivedAt: now().toISOString(), event: e }
    // Several hubs: a copy delivered to each may both get here; the database stores one, and only the
    // hub whose copy was stored tells the dashboards (once it is committed).
    // Copies that reach this hub while its first is not committed yet go into the same database round,
    // where the database keeps one and refuses none of them (a duplicate is refused only against a row
    // already stored): only the first copy in flight may tell the dashboards.
    const key = store.refusalMark ? deviceEventKey(record) : undefined
    const mark = store.refusalMark?.() ?? 0
    store.events.append(record)
    if (key === undefined) feed(device, e.kind, e.message)
    else if (!eventsInFlight.has(key)) {
      eventsInFlight.add(key)
      store.commit().then(
        () => {
          eventsInFlight.delete(key)
          if (!store.refusedSince?.('events', key, mark)) feed(device, e.kind, e.message)
        },
        () => eventsInFlight.delete(key),
      )
    }
  }

  const rollout: Handler<'rollout'> = async (device, r: RolloutStatus) => {
    await deps.hooks.run('onRollout', hookError, device.id, r)
  }

  const commandResponse: Handler<'cmd/res'> = (_device, res: CommandResponse) => {
    deps.commands.resolve(res)
  }

  const handlers: { [K in DeviceMessageKind]: Handler<K> } = {
    state,
    telemetry,
    inventory,
    hardening,
    event,
    rollout,
    'cmd/res': commandResponse,
  }

  // Per kind: plain-number tallies, handed to prom-client when the metrics are read.
  const perKind = Object.fromEntries(
    Object.keys(DEVICE_MESSAGES).map((kind) => [kind, metrics.ingest.of(kind)]),
  ) as Record<DeviceMessageKind, KindTally>

  const failed = (deviceId: string, kind: DeviceMessageKind, err: unknown) => {
    if (err instanceof StorageError) {
      log.warn({ deviceId, kind, code: err.code }, 'device message not stored (not acknowledged)')
      return
    }
    metrics.rejected.inc({ reason: 'internal', device: deviceId })
    log.error({ err, deviceId, kind }, 'ingest failed')
  }

  /**
   * The highest sequence accepted per device, including messages still being applied: a redelivery
   * that arrives while the first copy is in flight is a duplicate too. Forgotten when applying fails,
   * so the agent's redelivery is applied.
   */
  const accepted = new Map<string, { epoch: string; last: number }>()
  const isRepeat = (device: DeviceRecord, seq: number, epoch: string): boolean => {
    // Both: with several hubs, the record may have been brought ahead by another hub's write.
    const covers = (held: { epoch: string; last: number } | undefined) =>
      held !== undefined && held.epoch === epoch && seq <= held.last
    return covers(accepted.get(device.id)) || covers(device.seq)
  }
  /**
   * A retry after the database refused the device's write (several hubs): the message is older than
   * the stored state only if a message of its kind at least as new was applied (another hub finished
   * it first). An older message of another kind (a slow inventory after a quick state) is applied to
   * the fresh record; the database refuses what would put an older state over a newer one of its kind.
   */
  const isStale = (device: DeviceRecord, kind: DeviceMessageKind, seq: number, epoch: string): boolean => {
    const held = device.seq
    return held !== undefined && held.epoch === epoch && (held.kinds?.[kind] ?? 0) >= seq
  }
  /** Notes the message as applied: the device's last seq, and the last seq of its kind. */
  const recordSeq = (deviceId: string, kind: DeviceMessageKind, seq: number, epoch: string) => {
    const current = registry.get(deviceId)?.seq
    const same = current?.epoch === epoch
    const last = same ? Math.max(current.last, seq) : seq
    // Never backwards: an event older than one applied elsewhere is stored (several hubs), and the
    // database refuses a device row whose per-kind sequence would go back (pg-writer.ts).
    const ofKind = same ? Math.max(current.kinds?.[kind] ?? 0, seq) : seq
    if (same && current.last === last && current.kinds?.[kind] === ofKind) return
    registry.update(deviceId, {
      seq: { epoch, last, kinds: { ...(same ? current.kinds : {}), [kind]: ofKind } },
    })
  }

  /**
   * Minimum interval of inventories and hardening reports per device, checked before the payload is
   * decoded (their validation and hashing is the costly part of ingest). Keyed by enrolled device id
   * and kind. A dropped report makes the hub ask for a fresh one when the interval has passed, so the
   * last change is never lost for good.
   */
  const minInterval = deps.reportMinIntervalMs ?? 0
  const lastReport = new Map<string, number>()
  const followUps = new Map<string, NodeJS.Timeout>()
  const reportAllowed = (deviceId: string, kind: 'inventory' | 'hardening'): boolean => {
    const key = `${deviceId} ${kind}`
    const nowMs = Date.now()
    const last = lastReport.get(key)
    const asked = deps.commands.takeRequested(deviceId, kind)
    if (minInterval === 0 || asked || last === undefined || nowMs - last >= minInterval) {
      lastReport.set(key, nowMs)
      return true
    }
    metrics.ingestRefused.inc({ reason: 'too-frequent' })
    log.info({ deviceId, kind }, `dropped ${kind}: inside the minimum interval`)
    if (!followUps.has(key)) {
      const timer = setTimeout(
        () => {
          followUps.delete(key)
          const cmd = kind === 'inventory' ? 'send-inventory' : 'send-hardening'
          if (registry.get(deviceId) && deps.isConnected(deviceId) !== false)
            deps.commands.send(deviceId, { cmd }).catch(() => undefined)
        },
        (last ?? nowMs) + minInterval - nowMs,
      )
      timer.unref()
      followUps.set(key, timer)
    }
    return false
  }
  /** A report that was not stored (storage failure) does not count for the interval: its resend is taken. */
  const forgetReport = (deviceId: string, kind: DeviceMessageKind) => {
    if (kind === 'inventory' || kind === 'hardening') lastReport.delete(`${deviceId} ${kind}`)
  }

  const DURABLE: Record<DeviceMessageKind, boolean> = {
    state: true,
    telemetry: false,
    inventory: true,
    hardening: true,
    event: true,
    rollout: true,
    'cmd/res': true,
  }

  /**
   * A message that is not acknowledged after a commit (telemetry) and carries no sequence number: the
   * handler runs directly, with no per-message closures or transaction (telemetry changes the
   * record's volatile figures in place, or makes at most one journaled change when the device comes
   * online, which is a journal record of its own). This is the hot path of the telemetry load.
   */
  const runVolatile = <K extends DeviceMessageKind>(
    kind: K,
    device: DeviceRecord,
    value: Payload<K>,
    exact: string | undefined,
    tally: KindTally,
    started: number,
  ): Promise<void> | undefined => {
    let pending: Promise<void> | void
    try {
      pending = handlers[kind](device, value, exact, noop, runNow)
    } catch (err) {
      failed(device.id, kind, err)
      return err instanceof StorageError ? Promise.reject(err) : undefined
    }
    tally.done((performance.now() - started) / 1000)
    // No handler of a volatile kind is asynchronous today; one that becomes so is still not acknowledged
    // before it settled, and a storage failure in it is not acknowledged.
    return pending?.catch((err: unknown) => {
      failed(device.id, kind, err)
      if (err instanceof StorageError) throw err
    })
  }

  const run = <K extends DeviceMessageKind>(
    kind: K,
    device: DeviceRecord,
    payload: Buffer,
    attempt = 0,
  ): Promise<void> | undefined => {
    const started = performance.now()
    if (attempt === 0 && (kind === 'inventory' || kind === 'hardening') && !reportAllowed(device.id, kind))
      return undefined
    const text = decodePayload(kind, payload)
    if (typeof text !== 'string') {
      reject(text.reason, device.id, `${kind}: ${text.message}`)
      return undefined
    }
    const result = VALIDATORS[kind].parse(text) as
      | { ok: true; value: Payload<K>; stripped?: boolean }
      | Failure
    if (!result.ok) {
      reject(result.reason, device.id, `${kind}: ${result.message}`)
      return undefined
    }
    const exact = result.stripped === false ? text : undefined
    const durable = DURABLE[kind]
    if (durable) {
      // Not stored now, so not acknowledged: the agent keeps the message and sends it again.
      const health = store.health()
      if (!health.ok) {
        forgetReport(device.id, kind)
        return Promise.reject(new StorageError('STORAGE_FULL', health.reason))
      }
    }
    const { seq, epoch } = result.value as Sequenced
    const sequenced = typeof seq === 'number' && typeof epoch === 'string'
    // One hub (embedded): a device's messages come in order over its one connection, so anything at or
    // below the device's last applied sequence is a repeat. Several hubs (PostgreSQL): the broker spreads
    // one device's messages over the hubs' slots, so an older message can arrive after a newer one of
    // another kind was applied elsewhere. It is then stale only if a message of its own kind at least as
    // new was applied (`isStale`): a late command response or rollout report is applied, a superseded
    // state or inventory is not. Events are history, not state: every one is stored, and their copies
    // are told apart by the database (stored once per device, epoch and seq).
    const shared = store.refusalMark !== undefined
    const inFlight = accepted.get(device.id)
    const stale = !sequenced
      ? false
      : !shared
        ? isRepeat(device, seq, epoch)
        : kind !== 'event' &&
          (isStale(device, kind, seq, epoch) || (inFlight?.epoch === epoch && inFlight.last === seq))
    if (stale) {
      metrics.ingestRefused.inc({ reason: 'duplicate' })
      return undefined
    }
    const tally = perKind[kind]
    if (!durable && !sequenced) return runVolatile(kind, device, result.value, exact, tally, started)
    if (sequenced) accepted.set(device.id, { epoch, last: seq })
    const forget = () => {
      forgetReport(device.id, kind)
      if (sequenced && accepted.get(device.id)?.last === seq) accepted.delete(device.id)
    }
    let later: (() => void)[] | undefined
    const afterCommit = (fn: () => void) => {
      later ??= []
      later.push(fn)
    }
    const runLater = () => {
      if (later) for (const fn of later) fn()
    }
    let marked = false
    const applied = () => {
      if (marked) return
      marked = true
      if (sequenced) recordSeq(device.id, kind, seq, epoch)
    }
    // Several hubs (PostgreSQL): a write of the device over another hub's newer one is refused by the
    // database (store README) and the record reloaded; the message was then not applied, so it is
    // applied again to the fresh record (five times at most, then not acknowledged: the agent resends).
    // A copy that another hub stored meanwhile, or a message older than the stored one of its kind, is
    // then dropped and acknowledged.
    const mark = store.refusalMark?.()
    const finish = (): Promise<void> | undefined => {
      applied()
      tally.done((performance.now() - started) / 1000)
      if (!durable) {
        runLater()
        return undefined
      }
      const committed = store.commit()
      // Memory holds the change either way (a failed round is retried): follow-up work runs regardless.
      if (later) committed.then(runLater, runLater)
      if (mark === undefined) return committed
      return committed.then(() => {
        if (!store.refusedSince?.('devices', device.id, mark)) return
        const fresh = registry.get(device.id)
        if (fresh && !fresh.disabled && attempt < 5) {
          metrics.ingestRefused.inc({ reason: 'stale-retried' })
          forget()
          return run(kind, fresh, payload, attempt + 1)
        }
        throw new StorageError(
          'STORAGE_FAILED',
          'another hub stored a newer write of the device: not applied',
        )
      })
    }
    let pending: Promise<void> | void
    try {
      // A synchronous handler's changes and the sequence number are one journal record.
      pending = store.atomic(() => {
        const p = handlers[kind](device, result.value, exact, applied, afterCommit)
        if (!p) applied()
        return p
      })
    } catch (err) {
      forget()
      failed(device.id, kind, err)
      // A failure to store is not acknowledged; anything else would fail again: acknowledged, dropped,
      // but only once what the handler changed before it threw (memory holds it) is durable.
      return err instanceof StorageError ? Promise.reject(err) : store.commit()
    }
    const settle = (committed: Promise<void> | undefined) =>
      committed?.catch((err: unknown) => {
        forget()
        failed(device.id, kind, err)
        throw err
      })
    if (!pending) return settle(finish())
    return pending.then(
      () => settle(finish()),
      (err: unknown) => {
        forget()
        // A file-system error (a blob that could not be written) is a storage failure: not acknowledged.
        const storage =
          err instanceof StorageError || typeof (err as NodeJS.ErrnoException)?.syscall === 'string'
        const e = storage ? toStorageError(err) : err
        failed(device.id, kind, e)
        if (storage) throw e
        // Acknowledged and dropped once what the handler changed before it failed is durable.
        return store.commit()
      },
    )
  }

  return (msg: InboundMessage): Promise<void> | undefined => {
    let device = registry.get(msg.deviceId)
    if (!device && deps.adoptUnknownDevices) {
      device = {
        id: msg.deviceId,
        name: msg.deviceId,
        secretHash: '',
        disabled: false,
        enrolledAt: now().toISOString(),
        lastSeen: null,
        online: false,
        external: true,
      }
      registry.add(device)
    }
    if (!device) {
      reject('unknown-device', msg.deviceId, 'message from a device that is not enrolled')
      return undefined
    }
    if (device.disabled) {
      reject('disabled', msg.deviceId, 'message from a disabled device')
      return undefined
    }
    return run(msg.kind, device, msg.payload)
  }
}
