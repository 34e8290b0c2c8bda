/**
 * CPU load and memory from /proc, computed as systeminformation's `currentLoad()` and `mem()` do on
 * Linux (which spawned a shell for /proc/stat on every call and cost ~3.5 MB of the daemon's memory):
 * load = Δ(user + nice + system + irq + steal + guest) / Δ(that + idle) since the previous sample
 * (since boot for the first); used memory = MemTotal − MemAvailable.
 */

export interface CpuTicks {
  busy: number
  total: number
}

/** The aggregate `cpu` line of /proc/stat; undefined when absent or malformed. */
export function parseProcStat(text: string): CpuTicks | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '))
  if (!line) return undefined
  const f = line.trim().split(/\s+/).slice(1).map(Number)
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined
  const [user = 0, nice = 0, system = 0, idle = 0, , irq = 0, , steal = 0, guest = 0] = f
  const busy = user + nice + system + irq + steal + guest
  return { busy, total: busy + idle }
}

/** Percent busy between two samples (0 when no tick passed). */
export function cpuLoadPercent(prev: CpuTicks | undefined, next: CpuTicks): number {
  const busy = next.busy - (prev?.busy ?? 0)
  const total = next.total - (prev?.total ?? 0)
  return total > 0 ? (busy / total) * 100 : 0
}

/** Total and used bytes from /proc/meminfo; undefined without MemTotal. */
export function parseMemInfo(text: string): { total: number; used: number } | undefined {
  const kb: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line)
    if (m?.[1] && m[2]) kb[m[1]] = Number(m[2]) * 1024
  }
  const total = kb.MemTotal
  if (!total) return undefined
  const free = kb.MemFree ?? 0
  const available = kb.MemAvailable || free + (kb.Buffers ?? 0) + (kb.Cached ?? 0) + (kb.Slab ?? 0)
  return { total, used: total - available }
}
