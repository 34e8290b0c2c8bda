/**
 * The real built hub (`node hub/dist/bin/vigil-hub.js serve`) as a child process on free ports, with a
 * temporary data directory (optionally a copy of a prepared fleet), signed in as admin.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT, rssMB } from './proc.ts'
import { sleep, waitFor } from './stats.ts'

/** The bench hub's `/metrics` bearer token (the hub answers /metrics to nobody else). */
const METRICS_TOKEN = 'bench-metrics-token-0123456789'

export const HUB_BIN = join(REPO_ROOT, 'hub', 'dist', 'bin', 'vigil-hub.js')
export const ADMIN_PASSWORD = 'bench-admin-password'

/** The environment of a bench hub on loopback (the caller's own settings go after it). */
export function benchHubEnv(o: {
  httpPort: number
  mqttPort: number
  dataDir: string
  password?: string
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    VIGIL_HTTP_HOST: '127.0.0.1',
    VIGIL_HTTP_PORT: String(o.httpPort),
    VIGIL_MQTT_HOST: '127.0.0.1',
    VIGIL_MQTT_PORT: String(o.mqttPort),
    VIGIL_DATA_DIR: o.dataDir,
    VIGIL_ADMIN_PASSWORD: o.password ?? ADMIN_PASSWORD,
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_METRICS_TOKEN: METRICS_TOKEN,
    // The bench measures the ingest path, not metering: reports are never held back by the interval.
    VIGIL_DEVICE_REPORT_MIN_INTERVAL_SEC: '0',
  }
}

/**
 * Stops a hub process the orderly way (SIGINT: store flushed) and answers whether it had to be killed
 * after 15 s instead — a bug (SIGINT/SIGTERM must flush and exit), named on stderr as `what`.
 */
export async function stopHubChild(child: ChildProcess, what: string): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return false
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGINT')
  let hung = false
  const timer = setTimeout(() => {
    hung = true
    process.stderr.write(`${what} did not stop within 15 s of SIGINT: killed\n`)
    child.kill('SIGKILL')
  }, 15_000)
  await gone
  clearTimeout(timer)
  return hung
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = a && typeof a === 'object' ? a.port : 0
      s.close(() => resolve(port))
    })
  })
}

/** `--store postgres`: every hub of the run keeps its state in a database of this server. */
let postgres: { server: PostgresServer; urlOfDir: Map<string, string> } | undefined

export interface PostgresServer {
  createDatabase(): Promise<string>
  cloneDatabase(url: string): Promise<string>
}

export function usePostgres(server: PostgresServer): void {
  postgres = { server, urlOfDir: new Map() }
}

/** A data directory copied as a template takes its database along (cloned for each hub). */
export function carryDatabase(fromDir: string, toDir: string): void {
  const url = postgres?.urlOfDir.get(fromDir)
  if (url) postgres?.urlOfDir.set(toDir, url)
}

export interface HubOptions {
  /** A data directory to copy (a prepared fleet); empty when absent. */
  template?: string
  env?: Record<string, string>
  /** Copy every advisory of testdata/ into the hub's watched folder (`<dataDir>/advisories`). */
  advisories?: boolean
  /** Directory for a V8 CPU profile of the hub (`--cpu-prof`). */
  cpuProfDir?: string
  /** Start on this existing data directory (a restart) instead of a new one; `adminPassword` signs in. */
  dataDir?: string
  adminPassword?: string
  /** How long to wait for `/readyz` (default 60 s). */
  readyTimeoutMs?: number
}

export interface HubProcess {
  child: ChildProcess
  pid: number
  httpUrl: string
  mqttUrl: string
  mqttPort: number
  dataDir: string
  token: string
  /** From spawning the process until `/readyz` first answered 200 (polled every 50 ms). */
  readyMs: number
  api<T>(method: string, path: string, body?: unknown): Promise<T>
  metric(name: string, labels?: string): Promise<number>
  /**
   * The longest event-loop delay the hub reported since the previous call (each /metrics scrape resets
   * the hub's window, so every scrape made through `metric` is folded in).
   */
  takeLoopMaxMs(): Promise<number>
  rssMB(): number
  /** Stops the hub (SIGINT: orderly, store flushed); removes the data directory unless `keep`. */
  stop(keep?: boolean): Promise<void>
}

export async function startHubProcess(opts: HubOptions = {}): Promise<HubProcess> {
  if (!existsSync(HUB_BIN)) throw new Error(`${HUB_BIN} is missing: run "pnpm run build" first`)
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-bench-hub-')))
  const password = opts.adminPassword ?? ADMIN_PASSWORD
  if (opts.template) await cp(opts.template, dataDir, { recursive: true })
  if (opts.advisories) {
    for (const d of ['csaf-cisa', 'csaf-oasis', 'kev', 'osv']) {
      await cp(join(REPO_ROOT, 'testdata', d), join(dataDir, 'advisories', d), {
        recursive: true,
      })
    }
  }
  let databaseUrl: string | undefined
  if (postgres) {
    const from = opts.template ? postgres.urlOfDir.get(opts.template) : undefined
    databaseUrl = from ? await postgres.server.cloneDatabase(from) : await postgres.server.createDatabase()
    postgres.urlOfDir.set(dataDir, databaseUrl)
  }
  const [httpPort, mqttPort] = [await freePort(), await freePort()]
  const log = createWriteStream(join(dataDir, 'hub.log'), { flags: 'a' })
  const execArgv = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, [...execArgv, HUB_BIN, 'serve'], {
    cwd: dataDir,
    env: {
      ...benchHubEnv({ httpPort, mqttPort, dataDir, password }),
      ...(databaseUrl ? { VIGIL_DATABASE_URL: databaseUrl } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const httpUrl = `http://127.0.0.1:${httpPort}`
  const stop = async (keep = false) => {
    // A hub that had to be killed keeps its data directory and log to look at.
    const hung = await stopHubChild(child, `hub ${httpUrl} (log: ${dataDir}/hub.log)`)
    if (!keep && !hung) await rm(dataDir, { recursive: true, force: true })
  }
  const ready = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`hub exited with code ${child.exitCode}`)
      try {
        return (await fetch(`${httpUrl}/readyz`)).ok
      } catch {
        return false
      }
    },
    opts.readyTimeoutMs ?? 60_000,
    50,
  )
  const readyMs = performance.now() - spawnedAt
  if (!ready) {
    await stop()
    throw new Error(`hub did not become ready within ${(opts.readyTimeoutMs ?? 60_000) / 1000} s`)
  }
  if (databaseUrl) {
    // A hub built before the PostgreSQL engine ignores VIGIL_DATABASE_URL: make sure it runs on it.
    const onPostgres = await waitFor(
      async () => (await readFile(join(dataDir, 'hub.log'), 'utf8')).includes('data: PostgreSQL'),
      10_000,
      100,
    )
    if (!onPostgres) {
      await stop()
      throw new Error('--store postgres: the hub does not say it runs on PostgreSQL (rebuild it)')
    }
  }
  const res = await fetch(`${httpUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  })
  const { token } = (await res.json()) as { token: string }
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${httpUrl}${path}`, {
      method,
      signal: AbortSignal.timeout(30_000),
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
    return (await r.json()) as T
  }
  const pid = child.pid ?? 0
  let loopMax = 0
  const scrape = async () => {
    const text = await (
      await fetch(`${httpUrl}/metrics`, {
        signal: AbortSignal.timeout(30_000),
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      })
    ).text()
    const m = /^vigil_event_loop_delay_max_seconds (\S+)$/m.exec(text)
    if (m?.[1]) loopMax = Math.max(loopMax, Number(m[1]) * 1000)
    return text
  }
  return {
    child,
    pid,
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    mqttPort,
    dataDir,
    token,
    readyMs,
    api,
    async takeLoopMaxMs() {
      await scrape()
      const max = loopMax
      loopMax = 0
      return max
    },
    async metric(name, labels) {
      const text = await scrape()
      let sum = 0
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue
        const rest = line.slice(name.length)
        if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue
        if (labels && !rest.includes(labels)) continue
        sum += Number(line.split(' ').pop())
      }
      return sum
    },
    rssMB: () => rssMB(pid),
    stop,
  }
}

/** Lets the hub's flush timer and GC settle before a memory reading. */
export const settle = (ms = 1500) => sleep(ms)
