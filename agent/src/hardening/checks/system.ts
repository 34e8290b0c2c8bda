/** Config-file values (sshd_config style), sysctl values, listening ports and services. */
import type { HardeningCheck } from '@vigil/protocol'
import { type CheckEnv, type CheckOutcome, fsReason, unreadable } from '../env.js'

type Of<K extends HardeningCheck['kind']> = Extract<HardeningCheck, { kind: K }>

/** First value of `key` in a `key value` / `key=value` file (case-insensitive key, comments ignored). */
export function configValue(text: string, key: string, separator: 'space' | 'equals'): string | undefined {
  const want = key.toLowerCase()
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') continue
    // sshd: settings after a Match block apply conditionally; only the global part counts.
    if (separator === 'space' && /^match\s/i.test(line)) break
    const m = separator === 'equals' ? /^([^=\s]+)\s*=\s*(.*)$/.exec(line) : /^(\S+)\s+(.*)$/.exec(line)
    if (m?.[1] && m[1].toLowerCase() === want) return (m[2] ?? '').trim().replace(/^"(.*)"$/, '$1')
  }
  return undefined
}

export async function configValueCheck(c: Of<'config-value'>, env: CheckEnv): Promise<CheckOutcome> {
  let text: string
  try {
    text = await env.readText(c.path)
  } catch (err) {
    return unreadable(c.path, err)
  }
  const found = configValue(text, c.key, c.separator ?? 'space')
  const value = found ?? c.default
  const where =
    found === undefined ? `${c.key} not set (default ${c.default ?? 'unknown'})` : `${c.key} ${found}`
  if (value === undefined) return { status: 'fail', evidence: `${c.key} not set in ${c.path}` }
  return value.toLowerCase() === c.expected.toLowerCase()
    ? { status: 'pass', evidence: where }
    : { status: 'fail', evidence: `${where}, expected ${c.expected}` }
}

export async function sysctlCheck(c: Of<'sysctl'>, env: CheckEnv): Promise<CheckOutcome> {
  const path = `/proc/sys/${c.key.replace(/\./g, '/')}`
  let value: string
  try {
    value = (await env.readText(path)).trim().replace(/\s+/g, ' ')
  } catch (err) {
    return { status: 'error', evidence: `${c.key}: ${fsReason(err)}` }
  }
  return value === c.expected.trim()
    ? { status: 'pass', evidence: `${c.key} = ${value}` }
    : { status: 'fail', evidence: `${c.key} = ${value}, expected ${c.expected}` }
}

/** `/proc/net/{tcp,tcp6,udp,udp6}` → local ports; TCP only in LISTEN (0A), UDP unconnected (07). */
export function parseProcNet(text: string, proto: 'tcp' | 'udp'): number[] {
  const ports = new Set<number>()
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    const local = f[1]
    const st = f[3]
    if (!local || !st) continue
    if (proto === 'tcp' ? st !== '0A' : st !== '07') continue
    const port = Number.parseInt(local.split(':')[1] ?? '', 16)
    if (Number.isInteger(port)) ports.add(port)
  }
  return [...ports].sort((a, b) => a - b)
}

export async function listeningPorts(c: Of<'listening-ports'>, env: CheckEnv): Promise<CheckOutcome> {
  const found: Record<'tcp' | 'udp', number[]> = { tcp: [], udp: [] }
  for (const proto of ['tcp', 'udp'] as const) {
    const all = new Set<number>()
    for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
      try {
        for (const p of parseProcNet(await env.readText(file), proto)) all.add(p)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          return { status: 'error', evidence: `${file}: ${fsReason(err)}` }
      }
    }
    found[proto] = [...all].sort((a, b) => a - b)
  }
  const extraTcp = found.tcp.filter((p) => !c.allowTcp.includes(p))
  const extraUdp = found.udp.filter((p) => !c.allowUdp.includes(p))
  const evidence = `listening tcp [${found.tcp.join(', ')}], udp [${found.udp.join(', ')}]`
  if (extraTcp.length === 0 && extraUdp.length === 0) return { status: 'pass', evidence }
  const extra = [...extraTcp.map((p) => `tcp/${p}`), ...extraUdp.map((p) => `udp/${p}`)]
  return { status: 'fail', evidence: `not allowed: ${extra.join(', ')}; ${evidence}` }
}

/** Is a service running? systemd's answer when systemd runs, else a process with that name in /proc. */
async function serviceRunning(service: string, env: CheckEnv): Promise<{ running: boolean; how: string }> {
  const unit = service.endsWith('.service') ? service : `${service}.service`
  const state = await env.systemdState(unit)
  if (state !== undefined) return { running: state === 'active', how: `systemd: ${unit} is ${state}` }
  const name = service.replace(/\.service$/, '')
  const procs = (await env.readdir('/proc')).filter((d) => /^\d+$/.test(d))
  for (const pid of procs) {
    try {
      const comm = (await env.readText(`/proc/${pid}/comm`)).trim()
      if (comm === name) return { running: true, how: `process ${name} (pid ${pid}) is running` }
    } catch {
      // process ended meanwhile
    }
  }
  return { running: false, how: `no process named ${name}` }
}

export async function serviceRunningCheck(c: Of<'service-running'>, env: CheckEnv): Promise<CheckOutcome> {
  try {
    const r = await serviceRunning(c.service, env)
    return { status: r.running ? 'pass' : 'fail', evidence: r.how }
  } catch (err) {
    return { status: 'error', evidence: `${c.service}: ${fsReason(err)}` }
  }
}

export async function serviceNotRunningCheck(
  c: Of<'service-not-running'>,
  env: CheckEnv,
): Promise<CheckOutcome> {
  try {
    const r = await serviceRunning(c.service, env)
    return { status: r.running ? 'fail' : 'pass', evidence: r.how }
  } catch (err) {
    return { status: 'error', evidence: `${c.service}: ${fsReason(err)}` }
  }
}
