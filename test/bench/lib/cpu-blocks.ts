/**
 * The event loop's longest blocks in the main thread's own CPU time. `monitorEventLoopDelay` counts
 * wall-clock time, so on a loaded machine (2 cores, a dozen busy processes) a block also holds every
 * millisecond the process waited for a core; the kernel's per-thread counters
 * (`/proc/self/task/<tid>/schedstat`: ns on a CPU, ns waiting to run) split the two. A 1 ms timer
 * reads them at every turn it gets: the CPU time between two turns is what the code between them cost.
 * Linux only (elsewhere `read()` answers null).
 */
import { readFileSync } from 'node:fs'

export interface CpuBlock {
  /** When the block ended (`process.hrtime` µs: the clock of V8 CPU profiles' timestamps). */
  endUs: number
  cpuMs: number
  wallMs: number
  /** Of the wall time: waiting for a core. */
  queuedMs: number
}

export interface CpuBlockMonitor {
  stop(): void
  /** The longest blocks by CPU time, longest first. */
  top(n?: number): CpuBlock[]
}

export function monitorCpuBlocks(keep = 20): CpuBlockMonitor | null {
  const path = `/proc/self/task/${process.pid}/schedstat`
  const read = (): [number, number] => {
    const [cpu = '0', queued = '0'] = readFileSync(path, 'utf8').split(' ')
    return [Number(cpu), Number(queued)]
  }
  try {
    read()
  } catch {
    return null
  }
  const blocks: CpuBlock[] = []
  let [cpu, queued] = read()
  let wall = process.hrtime.bigint()
  const timer = setInterval(() => {
    const [c, q] = read()
    const w = process.hrtime.bigint()
    const block: CpuBlock = {
      endUs: Number(w / 1000n),
      cpuMs: (c - cpu) / 1e6,
      wallMs: Number(w - wall) / 1e6,
      queuedMs: (q - queued) / 1e6,
    }
    ;[cpu, queued, wall] = [c, q, w]
    if (blocks.length < keep || block.cpuMs > (blocks.at(-1)?.cpuMs ?? 0)) {
      blocks.push(block)
      blocks.sort((a, b) => b.cpuMs - a.cpuMs)
      if (blocks.length > keep) blocks.pop()
    }
  }, 1)
  return {
    stop: () => clearInterval(timer),
    top: (n = keep) => blocks.slice(0, n),
  }
}
