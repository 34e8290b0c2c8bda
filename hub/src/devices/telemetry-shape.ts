/**
 * A telemetry sample as numbers: its *shape* (which optional parts it has, its disk mounts, its
 * temperature labels, the length of its load averages) is kept once per device while it does not
 * change, and each sample contributes only its numbers, written into a `Float64Array`. A Float64
 * holds every JSON number exactly (-0 included), so a sample read back equals the one written.
 */
import type { Telemetry } from '@vigil/protocol'

export interface TelemetryShape {
  /** Length of `cpu.loadAvg`, or -1 when the sample has none. */
  readonly loadAvg: number
  readonly mounts: readonly string[]
  /** Labels of `temps`, or undefined when the sample has none. */
  readonly labels: readonly string[] | undefined
  /** Numbers per sample of this shape. */
  readonly count: number
}

/** v, cpu.loadPct, mem.total, mem.used, net.rxBps, net.txBps, uptimeSec, processes. */
const FIXED = 8

export function shapeOf(t: Telemetry): TelemetryShape {
  const loadAvg = t.cpu.loadAvg === undefined ? -1 : t.cpu.loadAvg.length
  const mounts = t.disks.map((d) => d.mount)
  const labels = t.temps?.map((x) => x.label)
  return {
    loadAvg,
    mounts,
    labels,
    count: FIXED + Math.max(loadAvg, 0) + 2 * mounts.length + (labels?.length ?? 0),
  }
}

/** Whether `t` has exactly this shape (no allocation: this runs for every sample). */
export function fits(shape: TelemetryShape, t: Telemetry): boolean {
  const avg = t.cpu.loadAvg
  if ((avg === undefined ? -1 : avg.length) !== shape.loadAvg) return false
  const disks = t.disks
  const mounts = shape.mounts
  if (disks.length !== mounts.length) return false
  for (let i = 0; i < disks.length; i++) if (disks[i]?.mount !== mounts[i]) return false
  const temps = t.temps
  const labels = shape.labels
  if (temps === undefined || labels === undefined) return temps === undefined && labels === undefined
  if (temps.length !== labels.length) return false
  for (let i = 0; i < temps.length; i++) if (temps[i]?.label !== labels[i]) return false
  return true
}

/** Writes the numbers of `t` (which fits `shape`) at `at`. */
export function writeNumbers(shape: TelemetryShape, t: Telemetry, out: Float64Array, at: number): void {
  let i = at
  out[i++] = t.v
  out[i++] = t.cpu.loadPct
  out[i++] = t.mem.total
  out[i++] = t.mem.used
  out[i++] = t.net.rxBps
  out[i++] = t.net.txBps
  out[i++] = t.uptimeSec
  out[i++] = t.processes
  const avg = t.cpu.loadAvg
  if (avg !== undefined) for (let k = 0; k < avg.length; k++) out[i++] = avg[k] ?? 0
  for (const d of t.disks) {
    out[i++] = d.size
    out[i++] = d.used
  }
  if (t.temps !== undefined) for (const x of t.temps) out[i++] = x.celsius
  if (i - at !== shape.count) throw new Error('telemetry sample does not fit its shape')
}

const num = (values: Float64Array, at: number): number => values[at] ?? Number.NaN

/** The sample whose numbers of `shape` are at `at`, with its `ts`. */
export function readSample(shape: TelemetryShape, values: Float64Array, at: number, ts: string): Telemetry {
  let i = at + FIXED
  let loadAvg: number[] | undefined
  if (shape.loadAvg >= 0) {
    loadAvg = new Array<number>(shape.loadAvg)
    for (let k = 0; k < shape.loadAvg; k++) loadAvg[k] = num(values, i++)
  }
  const disks = shape.mounts.map((mount) => {
    const size = num(values, i++)
    return { mount, size, used: num(values, i++) }
  })
  const temps = shape.labels?.map((label) => ({ label, celsius: num(values, i++) }))
  const v = num(values, at) as Telemetry['v']
  const cpu =
    loadAvg === undefined ? { loadPct: num(values, at + 1) } : { loadPct: num(values, at + 1), loadAvg }
  const mem = { total: num(values, at + 2), used: num(values, at + 3) }
  const net = { rxBps: num(values, at + 4), txBps: num(values, at + 5) }
  const uptimeSec = num(values, at + 6)
  const processes = num(values, at + 7)
  // The protocol's property order, as an agent sends it.
  return temps === undefined
    ? { v, ts, cpu, mem, disks, net, uptimeSec, processes }
    : { v, ts, cpu, mem, disks, temps, net, uptimeSec, processes }
}
