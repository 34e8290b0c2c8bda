/**
 * Telemetry parsers and rate arithmetic. Pure: the sampler (telemetry-sampler.ts) feeds them text read
 * from /proc and /sys.
 */
import type { Telemetry } from '@vigil/protocol'
import { PROTOCOL_VERSION } from '@vigil/protocol/wire'

export interface NetCounters {
  rx: number
  tx: number
}

/** `/proc/net/dev` → summed rx/tx byte counters of every interface but loopback. */
export function parseProcNetDev(text: string): NetCounters {
  let rx = 0
  let tx = 0
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const iface = line.slice(0, colon).trim()
    if (iface === 'lo') continue
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number)
    rx += Number.isFinite(f[0]) ? (f[0] as number) : 0
    tx += Number.isFinite(f[8]) ? (f[8] as number) : 0
  }
  return { rx, tx }
}

const PSEUDO_FS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'tmpfs',
  'cgroup',
  'cgroup2',
  'securityfs',
  'pstore',
  'debugfs',
  'tracefs',
  'mqueue',
  'hugetlbfs',
  'configfs',
  'fusectl',
  'bpf',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'rpc_pipefs',
  'overlay',
  'squashfs',
  'efivarfs',
  'ramfs',
  'selinuxfs',
  'fuse.lxcfs',
  'nfsd',
  'shm',
])

/** `/proc/mounts` → mount points of real file systems (deduplicated, overlay root kept). */
export function parseProcMounts(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const [, mount, fstype] = line.split(' ')
    if (!mount || !fstype) continue
    const decoded = mount.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)))
    const keep = !PSEUDO_FS.has(fstype) || (fstype === 'overlay' && decoded === '/')
    if (keep && !out.includes(decoded)) out.push(decoded)
  }
  return out.slice(0, 64)
}

/** Bytes per second between two counter readings; a counter reset (reboot, wrap) yields 0. */
export function rate(prev: number, next: number, seconds: number): number {
  if (seconds <= 0 || next < prev) return 0
  return (next - prev) / seconds
}

export interface TelemetryParts {
  ts: Date
  loadPct: number
  loadAvg: number[]
  mem: { total: number; used: number }
  disks: { mount: string; size: number; used: number }[]
  temps: { label: string; celsius: number }[]
  net: { rxBps: number; txBps: number }
  uptimeSec: number
  processes: number
}

const clampPct = (n: number) => (Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0)
const nonNeg = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0)

export function buildTelemetry(p: TelemetryParts): Telemetry {
  const t: Telemetry = {
    v: PROTOCOL_VERSION,
    ts: p.ts.toISOString(),
    cpu: { loadPct: Math.round(clampPct(p.loadPct) * 10) / 10, loadAvg: p.loadAvg.slice(0, 3).map(nonNeg) },
    mem: { total: nonNeg(p.mem.total), used: nonNeg(p.mem.used) },
    disks: p.disks
      .slice(0, 64)
      .map((d) => ({ mount: d.mount.slice(0, 512), size: nonNeg(d.size), used: nonNeg(d.used) })),
    net: { rxBps: Math.round(nonNeg(p.net.rxBps)), txBps: Math.round(nonNeg(p.net.txBps)) },
    uptimeSec: Math.round(nonNeg(p.uptimeSec)),
    processes: Math.max(0, Math.trunc(p.processes)),
  }
  if (p.temps.length > 0)
    t.temps = p.temps.slice(0, 64).map((x) => ({ label: x.label.slice(0, 64), celsius: x.celsius }))
  return t
}
