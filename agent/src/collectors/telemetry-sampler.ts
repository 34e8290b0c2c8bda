/**
 * Samples telemetry without spawning a process: direct reads of /proc and /sys, computed as
 * systeminformation's `currentLoad()`/`mem()` do on Linux; where /proc is missing (another OS),
 * systeminformation itself, loaded then. Keeps the previous counters to compute rates.
 */
import { readdir, readFile, statfs } from 'node:fs/promises'
import { freemem, loadavg, totalmem, uptime } from 'node:os'
import type { Telemetry } from '@vigil/protocol'
import { type CpuTicks, cpuLoadPercent, parseMemInfo, parseProcStat } from './proc-stat.js'
import { buildTelemetry, type NetCounters, parseProcMounts, parseProcNetDev, rate } from './telemetry.js'

export interface TelemetrySampler {
  sample(now: Date): Promise<Telemetry>
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch {
    return ''
  }
}

async function temperatures(): Promise<{ label: string; celsius: number }[]> {
  const out: { label: string; celsius: number }[] = []
  let zones: string[]
  try {
    zones = (await readdir('/sys/class/thermal')).filter((z) => z.startsWith('thermal_zone'))
  } catch {
    return out
  }
  for (const zone of zones.slice(0, 32)) {
    const milli = Number((await readText(`/sys/class/thermal/${zone}/temp`)).trim())
    if (!Number.isFinite(milli) || milli === 0) continue
    const label = (await readText(`/sys/class/thermal/${zone}/type`)).trim() || zone
    out.push({ label, celsius: Math.round(milli / 100) / 10 })
  }
  return out
}

async function disks(): Promise<{ mount: string; size: number; used: number }[]> {
  const out: { mount: string; size: number; used: number }[] = []
  for (const mount of parseProcMounts(await readText('/proc/mounts'))) {
    try {
      const s = await statfs(mount)
      const size = s.blocks * s.bsize
      if (size > 0) out.push({ mount, size, used: (s.blocks - s.bfree) * s.bsize })
    } catch {
      // unmounted meanwhile or not permitted: skip
    }
  }
  return out
}

async function processCount(): Promise<number> {
  try {
    return (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).length
  } catch {
    return 0
  }
}

/** systeminformation's load and memory, for systems without /proc. */
async function portableLoad(): Promise<
  { loadPct: number; mem: { total: number; used: number } } | undefined
> {
  try {
    const { default: si } = await import('systeminformation')
    const [load, mem] = await Promise.all([si.currentLoad(), si.mem()])
    return { loadPct: load.currentLoad, mem: { total: mem.total, used: mem.active } }
  } catch {
    return undefined
  }
}

export function createTelemetrySampler(): TelemetrySampler {
  let prevNet: { at: number; counters: NetCounters } | undefined
  let prevCpu: CpuTicks | undefined
  return {
    async sample(now) {
      const [stat, meminfo, net, d, temps, procs] = await Promise.all([
        readText('/proc/stat'),
        readText('/proc/meminfo'),
        readText('/proc/net/dev').then(parseProcNetDev),
        disks(),
        temperatures(),
        processCount(),
      ])
      const cpu = parseProcStat(stat)
      const portable = cpu ? undefined : await portableLoad()
      const loadPct = cpu ? cpuLoadPercent(prevCpu, cpu) : (portable?.loadPct ?? 0)
      if (cpu) prevCpu = cpu
      const mem = parseMemInfo(meminfo) ??
        portable?.mem ?? { total: totalmem(), used: totalmem() - freemem() }
      const at = now.getTime()
      const secs = prevNet ? (at - prevNet.at) / 1000 : 0
      const netRates = prevNet
        ? { rxBps: rate(prevNet.counters.rx, net.rx, secs), txBps: rate(prevNet.counters.tx, net.tx, secs) }
        : { rxBps: 0, txBps: 0 }
      prevNet = { at, counters: net }
      return buildTelemetry({
        ts: now,
        loadPct,
        loadAvg: loadavg(),
        mem,
        disks: d,
        temps,
        net: netRates,
        uptimeSec: uptime(),
        processes: procs,
      })
    },
  }
}
