/**
 * Real processes for fault tests: the built hub (`hub/dist/bin/vigil-hub.js serve`, as `pnpm start`
 * runs it) on fixed ports so it can be restarted in place, and the agent CLI from source. Every
 * process started here is killed when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { ADMIN_PASSWORD } from './system.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const HUB_BIN = join(REPO, 'hub', 'dist', 'bin', 'vigil-hub.js')
const AGENT_DIR = join(REPO, 'agent')
const AGENT_CLI = ['--conditions=source', '--import', 'tsx', 'src/bin/vigil-agent.ts']

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address ? address.port : 0
}

export interface Proc {
  child: ChildProcess
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function track(child: ChildProcess): Proc {
  let out = ''
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return { child, output: () => out, exited }
}

/**
 * Sends `signal` and waits for the exit, at most `limitMs` (then SIGKILL): answers the exit, or
 * `'hung'`. A liveness bound (the reported bug ignored SIGTERM for 200 s), not a timing measurement.
 */
export async function stopWith(p: Proc, signal: NodeJS.Signals, limitMs: number) {
  p.child.kill(signal)
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), limitMs)
  })
  const result = await Promise.race([p.exited, hung])
  clearTimeout(timer)
  if (result === 'hung') p.child.kill('SIGKILL')
  return result
}

export interface HubProcess extends Proc {
  httpUrl: string
}

export async function startHubProcess(opts: {
  dataDir: string
  httpPort: number
  mqttPort: number
  /** More environment (e.g. VIGIL_DATABASE_URL, an external broker). */
  env?: Record<string, string>
}): Promise<HubProcess> {
  const child = spawn(process.execPath, [HUB_BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      VIGIL_HTTP_HOST: '127.0.0.1',
      VIGIL_MQTT_HOST: '127.0.0.1',
      VIGIL_HTTP_PORT: String(opts.httpPort),
      VIGIL_MQTT_PORT: String(opts.mqttPort),
      VIGIL_DATA_DIR: opts.dataDir,
      VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VIGIL_LOG_LEVEL: 'warn',
      // Delivery, not metering, is under test: no minimum interval between reports.
      VIGIL_DEVICE_REPORT_MIN_INTERVAL_SEC: '0',
      // Simulated fleets enroll from one address: more than the default 30 a minute.
      VIGIL_ENROLL_ATTEMPTS_PER_MIN: '10000',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const p = track(child)
  const httpUrl = `http://127.0.0.1:${opts.httpPort}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited: ${p.output()}`)
    const ok = await fetch(`${httpUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (i > 600) throw new Error(`the hub did not answer /healthz: ${p.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { ...p, httpUrl }
}

/** `vigil-agent <args>` from source, with a small environment. */
export function agentProcess(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [...AGENT_CLI, ...args], {
    cwd: AGENT_DIR,
    env: { PATH: process.env.PATH ?? '', VIGIL_AGENT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return track(child)
}
