/**
 * Collections: the inventory and the hardening run, each enqueued when it changed (or drifted, or is
 * forced), with what was reported remembered in `memory.json`. Every collection runs through the
 * serial queue.
 */
import type { AgentCollectors } from '../collectors/index.js'
import { buildReport, runBaseline } from '../hardening/run.js'
import type { Emit, Enqueue } from './events.js'
import { saveMemory } from './memory.js'
import type { Serial } from './serial.js'
import type { AgentState } from './state.js'

export interface Hashes {
  inventoryHash: string
  hardeningHash: string
}

export interface Scanner {
  /** Collects the inventory; enqueues it when it changed (or `force`). Answers whether it was enqueued. */
  collectInventory(force: boolean): Promise<boolean>
  /** Runs the baseline; enqueues the report when it changed or drifted (or `force`). Answers whether it was. */
  collectHardening(force: boolean): Promise<boolean>
  /** Both, in the serial queue. */
  rescan(force?: { inventory?: boolean; hardening?: boolean }): Promise<Hashes>
  /**
   * On the hub's request: send the current report, unless that very report is still queued (the hub asks
   * on a birth that overtook the queued report; it will have it in a moment, in order).
   */
  sendOnRequest(kind: 'inventory' | 'hardening'): Promise<Hashes>
}

export interface ScanDeps {
  collectors: AgentCollectors
  serial: Serial
  enqueue: Enqueue
  emit: Emit
}

export function createScanner(s: AgentState, d: ScanDeps): Scanner {
  const hashes = (): Hashes => ({ inventoryHash: s.inventory?.hash ?? '', hardeningHash: s.hardeningHash })

  async function collectInventory(force: boolean): Promise<boolean> {
    const inv = await d.collectors.inventory(s.clock.now())
    s.inventory = inv
    s.identity = await d.collectors.identity(inv)
    if (inv.errors?.length)
      s.log.warn(`inventory: ${inv.errors.length} collector errors, first: ${inv.errors[0]}`)
    if (force || inv.hash !== s.memory.inventoryHash) {
      await d.enqueue('inventory', inv)
      if (inv.errors?.length)
        await d.emit('collector-error', `inventory collected with ${inv.errors.length} errors`, {
          errors: inv.errors.slice(0, 20),
        })
      s.memory.inventoryHash = inv.hash
      await saveMemory(s)
      return true
    }
    return false
  }

  async function collectHardening(force: boolean): Promise<boolean> {
    const current = await runBaseline(s.baseline, d.collectors.checkEnv)
    const report = buildReport(s.baseline, current, s.memory.lastResults, s.clock.now())
    s.results = current
    s.hardeningHash = report.hash
    s.lastReport = report
    if (force || report.hash !== s.memory.hardeningHash || report.drift.length > 0) {
      await d.enqueue('hardening', report)
      for (const drift of report.drift)
        await d.emit(
          'drift',
          `${drift.id}: ${drift.from ?? 'new'} → ${drift.to}: ${drift.detail}`.slice(0, 2048),
          { check: drift.id },
        )
      s.memory.hardeningHash = report.hash
      s.memory.lastResults = current
      await saveMemory(s)
      return true
    }
    return false
  }

  return {
    collectInventory,
    collectHardening,
    rescan: (force = {}) =>
      d.serial.run(async () => {
        await collectInventory(force.inventory ?? false)
        await collectHardening(force.hardening ?? false)
        return hashes()
      }),
    sendOnRequest: (kind) =>
      d.serial.run(async () => {
        const sent = kind === 'inventory' ? await collectInventory(false) : await collectHardening(false)
        const payload = kind === 'inventory' ? s.inventory : s.lastReport
        const hash = payload?.hash ?? ''
        const queued = s.outbox?.pending(kind).some((p) => (p as { hash?: unknown }).hash === hash) ?? false
        if (payload && !sent && !queued) await d.enqueue(kind, payload)
        return hashes()
      }),
  }
}
