/**
 * The on-disk outbox. Every state message (inventory, hardening, event, command response, rollout) gets
 * the next per-device sequence number (`seq`, `epoch`: sequence.ts) and is written durably to its own
 * file (fsync of the file and the directory) before it can be delivered; it is removed only once the
 * hub acknowledged it. Delivery is in strict `seq` order, across restarts, so the hub never gets an
 * older message after a newer one. Telemetry produced while offline goes to a bounded ring (written
 * without fsync) that is thinned (every other old sample dropped) when full.
 *
 * Disk full: telemetry is thinned first, then state is held in memory, bounded: a newer inventory or
 * hardening report replaces an older one held in memory, and at most `maxMemoryItems` others are held
 * (the oldest dropped and reported beyond that). Held items keep their place in the one `seq` order
 * and are written to disk as soon as a write succeeds again.
 */
import { join } from 'node:path'
import type { DeviceMessageKind } from '@vigil/protocol'
import { isDiskFull, nodeOutboxFs, type OutboxFs, writeAtomic } from './files.js'
import { createSequence, SEQUENCE_FILE } from './sequence.js'

export { nodeOutboxFs, type OutboxFs } from './files.js'

export interface OutboxItem {
  /** order key: the message's `seq` for state, a local counter for telemetry */
  seq: number
  kind: DeviceMessageKind
  payload: unknown
  /** set while the item could not be written to disk (disk full) */
  memoryOnly?: boolean
}

export interface OutboxOptions {
  dir: string
  maxTelemetry: number
  /** state messages (other than the latest inventory and hardening) held in memory at most (default 200) */
  maxMemoryItems?: number
  fs?: OutboxFs
  onError?(message: string): void
}

type StateKind = Exclude<DeviceMessageKind, 'telemetry'>

export interface Outbox {
  load(): Promise<void>
  /**
   * Gives a state message its `seq`/`epoch` and persists it; resolves once it is on disk (or held in
   * memory when the disk is full) and deliverable, with the payload as it will be sent.
   */
  add(kind: StateKind, payload: object): Promise<OutboxItem>
  /** Keeps a telemetry sample produced while offline (bounded ring, thinned when full). */
  addTelemetry(payload: unknown): Promise<void>
  /** The next item to deliver: state first, in `seq` order, then telemetry, oldest first. */
  next(): OutboxItem | undefined
  remove(item: OutboxItem): Promise<void>
  /** Resolves once every `add` and `addTelemetry` called so far has finished. */
  idle(): Promise<void>
  depth(): { state: number; telemetry: number }
  /** payloads of undelivered state messages of one kind, oldest first */
  pending(kind: DeviceMessageKind): unknown[]
  readonly epoch: string
}

const NAME = /^([st])-(\d{12})\.json$/
const fileName = (prefix: 's' | 't', seq: number) => `${prefix}-${String(seq).padStart(12, '0')}.json`
const SUPERSEDED: ReadonlySet<DeviceMessageKind> = new Set(['inventory', 'hardening'])

export function createOutbox(o: OutboxOptions): Outbox {
  const fs = o.fs ?? nodeOutboxFs
  const maxMemory = o.maxMemoryItems ?? 200
  const state: OutboxItem[] = []
  const telemetry: OutboxItem[] = []
  let telemetrySeq = 0
  let chain: Promise<unknown> = Promise.resolve()
  const report = (m: string) => o.onError?.(m)
  const sequence = createSequence(fs, o.dir, report)
  const pathOf = (item: OutboxItem) => join(o.dir, fileName(item.kind === 'telemetry' ? 't' : 's', item.seq))

  /** Runs `fn` after every earlier add: sequence numbers are handed out and written in call order. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn)
    chain = run.catch(() => undefined)
    return run
  }

  /** Writes an item's file; the directory is made again if it could not be made (disk full at start). */
  async function write(item: OutboxItem, sync: boolean): Promise<void> {
    const data = JSON.stringify({ kind: item.kind, payload: item.payload })
    try {
      await writeAtomic(fs, o.dir, pathOf(item), data, sync)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await fs.mkdir(o.dir)
      await writeAtomic(fs, o.dir, pathOf(item), data, sync)
    }
  }

  async function drop(item: OutboxItem): Promise<void> {
    if (item.memoryOnly) return
    try {
      await fs.unlink(pathOf(item))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        report(`outbox: cannot remove ${pathOf(item)}: ${(err as Error).message}`)
    }
  }

  /** Drops every other sample of the older half of the ring (or all of it when `all`). */
  async function thin(all = false): Promise<number> {
    const victims = all ? telemetry.splice(0) : []
    if (!all) {
      const half = Math.max(1, Math.floor(telemetry.length / 2))
      for (let i = half - 1; i >= 0; i -= 2) victims.push(...telemetry.splice(i, 1))
    }
    for (const v of victims) await drop(v)
    return victims.length
  }

  /** Writes a state item durably, thinning telemetry when the disk is full; false when it cannot. */
  async function persist(item: OutboxItem): Promise<boolean> {
    for (const attempt of ['write', 'thin', 'thin-all'] as const) {
      if (attempt === 'thin') await thin()
      if (attempt === 'thin-all') await thin(true)
      try {
        await write(item, true)
        return true
      } catch (err) {
        if (!isDiskFull(err)) {
          report(`outbox: cannot write (${(err as Error).message}); held in memory`)
          return false
        }
      }
    }
    return false
  }

  /** Keeps memory bounded while the disk is full: newer results replace older ones, events are capped. */
  function bound(item: OutboxItem): void {
    // the head may be in flight: it stays
    for (let i = state.length - 1; i >= 1; i--) {
      const held = state[i] as OutboxItem
      if (held !== item && held.memoryOnly && SUPERSEDED.has(item.kind) && held.kind === item.kind)
        state.splice(i, 1)
    }
    const held = state.filter((s, i) => i > 0 && s.memoryOnly && !SUPERSEDED.has(s.kind))
    for (const oldest of held.slice(0, Math.max(0, held.length - maxMemory))) {
      state.splice(state.indexOf(oldest), 1)
      report(`outbox: disk full, a held ${oldest.kind} message (seq ${oldest.seq}) was dropped`)
    }
  }

  /** Space is back: write what was held in memory, in order. */
  async function writeHeld(): Promise<void> {
    for (const item of [...state]) {
      if (!item.memoryOnly) continue
      try {
        await write(item, true)
      } catch {
        return
      }
      item.memoryOnly = undefined
      // delivered while its file was being written: nothing delivered may stay behind
      if (!state.includes(item)) await drop(item)
    }
  }

  return {
    get epoch() {
      return sequence.epoch
    },
    async load() {
      try {
        await fs.mkdir(o.dir)
      } catch (err) {
        if (!isDiskFull(err)) throw err
        report(`outbox: cannot create ${o.dir} (${(err as Error).message}); state is held in memory`)
        await sequence.load(0)
        return
      }
      const names = (await fs.readdir(o.dir)).sort()
      let highest = 0
      for (const name of names) {
        if (name.endsWith('.tmp')) {
          await fs.unlink(join(o.dir, name)).catch(() => undefined)
          continue
        }
        const m = NAME.exec(name)
        if (!m) continue
        const n = Number(m[2])
        if (m[1] === 's') highest = Math.max(highest, n)
        else telemetrySeq = Math.max(telemetrySeq, n)
        try {
          const parsed = JSON.parse(await fs.readFile(join(o.dir, name))) as {
            kind?: unknown
            payload?: unknown
          }
          if (typeof parsed.kind !== 'string' || parsed.payload === undefined)
            throw new Error('missing kind or payload')
          const item: OutboxItem = { seq: n, kind: parsed.kind as DeviceMessageKind, payload: parsed.payload }
          ;(m[1] === 't' ? telemetry : state).push(item)
        } catch (err) {
          report(`outbox: ${name} is unreadable (${(err as Error).message}); moved aside`)
          await fs.rename(join(o.dir, name), join(o.dir, `bad-${name}`)).catch(() => undefined)
        }
      }
      await sequence.load(highest)
    },
    add(kind, payload) {
      return serial(async () => {
        const { seq, epoch } = await sequence.next()
        const item: OutboxItem = { seq, kind, payload: { ...payload, seq, epoch } }
        if (await persist(item)) {
          state.push(item)
          if (state.some((s) => s.memoryOnly)) await writeHeld()
        } else {
          item.memoryOnly = true
          state.push(item)
          bound(item)
          report(`outbox: disk full, a ${kind} message (seq ${seq}) is held in memory until delivered`)
        }
        return item
      })
    },
    addTelemetry(payload) {
      return serial(async () => {
        const item: OutboxItem = { seq: ++telemetrySeq, kind: 'telemetry', payload }
        while (telemetry.length >= o.maxTelemetry) await thin()
        try {
          await write(item, false)
          telemetry.push(item)
        } catch (err) {
          if (isDiskFull(err)) await thin()
          report(`outbox: telemetry sample not kept (${(err as Error).message})`)
        }
      })
    },
    next() {
      return state[0] ?? telemetry[0]
    },
    async remove(item) {
      const list = item.kind === 'telemetry' ? telemetry : state
      const i = list.indexOf(item)
      if (i >= 0) list.splice(i, 1)
      await drop(item)
    },
    idle: () => chain.then(() => undefined),
    depth() {
      return { state: state.length, telemetry: telemetry.length }
    },
    pending(kind) {
      return state.filter((i) => i.kind === kind).map((i) => i.payload)
    },
  }
}

export { SEQUENCE_FILE }
