/** The longest synchronous stretches of a V8 CPU profile, per call path (profile-blocks.ts). */
import type { CpuProfile } from './profile.ts'

export interface Stretch {
  /** Root-most first, `function file:line`; the generic frames of every task are left out. */
  path: string[]
  ms: number
  /**
   * Samples in the stretch: on a loaded machine the process is descheduled for tens of ms at a time
   * (no sample is taken then), so samples × the sampling interval is the stretch's own CPU time.
   */
  samples: number
  /** Where in the profile the stretch starts (ms after its first sample). */
  atMs: number
}

/** Frames every task goes through: they say nothing about what held the loop. */
const GENERIC =
  /^\((root|program|idle|garbage collector)\)$|^(processImmediate|processTicksAndRejections|listOnTimeout|processTimers|runMicrotasks)$/

function frameName(f: { functionName: string; url: string; lineNumber: number }): string {
  const url = f.url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')
  return `${f.functionName || '(anonymous)'} ${url.replace(/^.*\/(hub|protocol|test)\//, '$1/')}:${f.lineNumber + 1}`
}

/**
 * For each call-path node: its longest run of consecutive samples on the stack (by sample count: see
 * `Stretch.samples`). Only the deepest
 * node of each run is kept (its ancestors' runs cover at least as much and say less), unless an
 * ancestor's own run is longer.
 */
export function longestStretches(profile: CpuProfile, top = 30, minMs = 10): Stretch[] {
  const parent = new Map<number, number>()
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  for (const n of profile.nodes as { id: number; children?: number[] }[])
    for (const c of n.children ?? []) parent.set(c, n.id)
  const stackOf = (id: number): number[] => {
    const out: number[] = []
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) out.push(x)
    return out.reverse()
  }
  const open = new Map<number, { t: number; i: number }>() // node → start (µs, sample) of its current run
  const best = new Map<number, { us: number; at: number; n: number }>()
  let t = 0
  let prev = new Set<number>()
  const close = (id: number, end: number, i: number) => {
    const start = open.get(id)
    if (start === undefined) return
    open.delete(id)
    const n = i - start.i
    if (n > (best.get(id)?.n ?? 0)) best.set(id, { us: end - start.t, at: start.t, n })
  }
  for (const [i, id] of profile.samples.entries()) {
    t += profile.timeDeltas[i] ?? 0
    const now = new Set(stackOf(id))
    for (const p of prev) if (!now.has(p)) close(p, t, i)
    for (const n of now) if (!open.has(n)) open.set(n, { t, i })
    prev = now
  }
  for (const p of prev) close(p, t, profile.samples.length)
  const named = (id: number) => {
    const n = byId.get(id)
    return n && !GENERIC.test(n.callFrame.functionName) && n.callFrame.functionName !== '(idle)'
  }
  const kept = [...best.entries()].filter(([id, b]) => named(id) && b.us >= minMs * 1000)
  // Drop an ancestor whose best run is no longer than a kept descendant's (the descendant says more).
  const keptIds = new Set(kept.map(([id]) => id))
  const covered = new Set<number>()
  for (const [id, b] of kept)
    for (let x = parent.get(id); x !== undefined; x = parent.get(x))
      if (keptIds.has(x) && (best.get(x)?.n ?? 0) <= b.n + 1) covered.add(x)
  const t0 = 0
  return kept
    .filter(([id]) => !covered.has(id))
    .sort((a, b) => b[1].n - a[1].n)
    .slice(0, top)
    .map(([id, b]) => ({
      path: stackOf(id)
        .filter(named)
        .map((x) => frameName((byId.get(x) as CpuProfile['nodes'][number]).callFrame)),
      ms: b.us / 1000,
      samples: b.n,
      atMs: (b.at - t0) / 1000,
    }))
}

/**
 * What ran between two instants (µs, the profile's clock: `process.hrtime`): the call paths sampled
 * then, most sampled first (a block found by lib/cpu-blocks.ts, looked up in the profile).
 */
export function pathsBetween(
  profile: CpuProfile & { startTime: number },
  fromUs: number,
  toUs: number,
  top = 8,
): { samples: number; path: string[] }[] {
  const parent = new Map<number, number>()
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  for (const n of profile.nodes as { id: number; children?: number[] }[])
    for (const c of n.children ?? []) parent.set(c, n.id)
  const count = new Map<number, number>()
  let t = profile.startTime
  for (const [i, id] of profile.samples.entries()) {
    t += profile.timeDeltas[i] ?? 0
    if (t >= fromUs && t <= toUs) count.set(id, (count.get(id) ?? 0) + 1)
  }
  return [...count.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([id, samples]) => {
      const path: string[] = []
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const f = byId.get(x)?.callFrame
        if (f && !GENERIC.test(f.functionName)) path.unshift(frameName(f))
      }
      return { samples, path }
    })
}
