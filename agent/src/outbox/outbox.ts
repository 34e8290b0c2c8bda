/**
 * The on-disk outbox. Every state message (inventory, hardening, event, command response, rollout) is
 * written to its own file before it is published and removed only once the hub acknowledged it, so it
 * survives a broker outage and agent restarts and is delivered in the order it was produced. Telemetry
 * produced while offline goes to a bounded ring that is thinned (every other old sample dropped) when
 * full. When the disk is full, telemetry is thinned first; state is never dropped (kept in memory
 * until it can be written or sent).
 */
import { mkdir as fsMkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DeviceMessageKind } from '@vigil/protocol'

export interface OutboxFs {
  mkdir(dir: string): Promise<void>
  readdir(dir: string): Promise<string[]>
  readFile(file: string): Promise<string>
  writeFile(file: string, data: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  unlink(file: string): Promise<void>
}

export const nodeOutboxFs: OutboxFs = {
  mkdir: async (dir) => {
    await fsMkdir(dir, { recursive: true, mode: 0o700 })
  },
  readdir: (dir) => readdir(dir),
  readFile: (file) => readFile(file, 'utf8'),
  writeFile: (file, data) => writeFile(file, data, { mode: 0o600 }),
  rename: (a, b) => rename(a, b),
  unlink: (file) => unlink(file),
}

export interface OutboxItem {
  seq: number
  kind: DeviceMessageKind
  payload: unknown
  /** set for items that could not be written to disk (disk full) */
  memoryOnly?: boolean
}

export interface OutboxOptions {
  dir: string
  maxTelemetry: number
  fs?: OutboxFs
  onError?(message: string): void
}

export interface Outbox {
  load(): Promise<void>
  /** Persists a state message; resolves once it is on disk (or held in memory when the disk is full). */
  add(kind: Exclude<DeviceMessageKind, 'telemetry'>, payload: unknown): Promise<OutboxItem>
  /** Keeps a telemetry sample produced while offline (bounded ring, thinned when full). */
  addTelemetry(payload: unknown): Promise<void>
  /** The next item to deliver: state first, in production order, then telemetry, oldest first. */
  next(): OutboxItem | undefined
  remove(item: OutboxItem): Promise<void>
  depth(): { state: number; telemetry: number }
  /** payloads of undelivered state messages of one kind, oldest first */
  pending(kind: DeviceMessageKind): unknown[]
}

const NAME = /^([st])-(\d{12})\.json$/
const fileName = (prefix: 's' | 't', seq: number) => `${prefix}-${String(seq).padStart(12, '0')}.json`

function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

export function createOutbox(o: OutboxOptions): Outbox {
  const fs = o.fs ?? nodeOutboxFs
  const state: OutboxItem[] = []
  const telemetry: OutboxItem[] = []
  let seq = 0
  const report = (m: string) => o.onError?.(m)
  const pathOf = (item: OutboxItem) => join(o.dir, fileName(item.kind === 'telemetry' ? 't' : 's', item.seq))

  async function write(item: OutboxItem): Promise<void> {
    const file = pathOf(item)
    const tmp = `${file}.tmp`
    await fs.writeFile(tmp, JSON.stringify({ kind: item.kind, payload: item.payload }))
    await fs.rename(tmp, file)
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

  return {
    async load() {
      await fs.mkdir(o.dir)
      const names = (await fs.readdir(o.dir)).sort()
      for (const name of names) {
        if (name.endsWith('.tmp')) {
          await fs.unlink(join(o.dir, name)).catch(() => undefined)
          continue
        }
        const m = NAME.exec(name)
        if (!m) continue
        const n = Number(m[2])
        seq = Math.max(seq, n)
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
    },
    async add(kind, payload) {
      const item: OutboxItem = { seq: ++seq, kind, payload }
      state.push(item)
      for (const attempt of ['write', 'thin', 'thin-all', 'give-up'] as const) {
        if (attempt === 'give-up') {
          item.memoryOnly = true
          report('outbox: disk full, a state message is held in memory until it is delivered')
          break
        }
        if (attempt === 'thin') await thin()
        if (attempt === 'thin-all') await thin(true)
        try {
          await write(item)
          break
        } catch (err) {
          if (!isDiskFull(err)) {
            item.memoryOnly = true
            report(`outbox: cannot write (${(err as Error).message}); held in memory`)
            break
          }
        }
      }
      return item
    },
    async addTelemetry(payload) {
      const item: OutboxItem = { seq: ++seq, kind: 'telemetry', payload }
      while (telemetry.length >= o.maxTelemetry) await thin()
      try {
        await write(item)
        telemetry.push(item)
      } catch (err) {
        if (isDiskFull(err)) await thin()
        report(`outbox: telemetry sample not kept (${(err as Error).message})`)
      }
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
    depth() {
      return { state: state.length, telemetry: telemetry.length }
    },
    pending(kind) {
      return state.filter((i) => i.kind === kind).map((i) => i.payload)
    },
  }
}
