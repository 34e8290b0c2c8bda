/**
 * Idle hub: start-up time, idle memory and loaded code, for one or more built checkouts, runs alternated.
 *
 *   node --import tsx bench/idle.ts [--hub base=/path/to/old/checkout] [--hub main=.] [--runs 5]
 *        [--idle-ms 5000] [--advisories] [--snapshot-dir DIR] [--cpu-prof-dir DIR] [--out FILE.json]
 *
 * Each `--hub label=root` names a repository checkout whose hub is built (`root/hub/dist/bin/vigil-hub.js`);
 * without one, this checkout is measured. Every run spawns `node --expose-gc --import lib/idle-probe.mjs
 * vigil-hub.js serve` on free ports with an empty data directory (`--advisories`: holding testdata's
 * advisories in its watched folder; the embedded engine; the same environment as the bench's
 * `startHubProcess`, no sign-in), and records:
 *   - `readyMs`: spawn until `/readyz` first answers 200 (polled every 25 ms), and the hub's CPU seconds by then;
 *   - after `--idle-ms` of idling: RSS from /proc, then (the probe, on SIGUSR2) RSS, heap used and V8 heap
 *     figures after a forced full GC;
 *   - the scripts V8 holds (count and source size), by package and by the hub's top-level folder.
 * Runs alternate between the checkouts (a, b, a, b, …) so that both see the same machine load, which
 * is recorded too (1-minute load average at each start).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { benchHubEnv, freePort, stopHubChild } from './lib/hub.ts'
import { BENCH_DIR, cpuSeconds, REPO_ROOT, rssMB } from './lib/proc.ts'
import { round, sleep, sortNumbers, waitFor } from './lib/stats.ts'

const PROBE = join(BENCH_DIR, 'lib', 'idle-probe.mjs')
const MB = 1024 * 1024

interface Script {
  url: string
  length: number
}

interface ProbeReport {
  before: NodeJS.MemoryUsage
  after: NodeJS.MemoryUsage
  heap: { total_heap_size: number; used_heap_size: number; external_memory: number }
  gcExposed: boolean
  scripts: Script[]
}

interface Run {
  label: string
  run: number
  load1m: number
  readyMs: number
  cpuAtReadyS: number
  rssIdleMB: number
  rssAfterGcMB: number
  heapUsedMB: number
  heapTotalMB: number
  externalMB: number
  scripts: number
  scriptMB: number
  /** Every script (URL, source length), kept for the first run of each checkout only. */
  list?: Script[]
  /** Count and source bytes per group (package name, `node:` built-ins, `hub/<folder>`, …). */
  groups: Record<string, { n: number; bytes: number }>
}

/** Which package (or hub folder) a script belongs to, from its URL. */
export function groupOf(url: string, root: string): string {
  if (url.startsWith('node:')) return 'node: built-ins'
  if (url.endsWith('/bench/lib/idle-probe.mjs')) return '(this probe)'
  if (!url.startsWith('file://')) return url === '' ? '(eval / generated)' : '(other)'
  const path = decodeURIComponent(url.slice('file://'.length))
  const nm = path.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const [first, second] = path.slice(nm + '/node_modules/'.length).split('/')
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? '(other)')
  }
  const rel = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path
  const [pkg, dist, folder] = rel.split('/')
  if (pkg === 'hub' && dist === 'dist') return folder?.endsWith('.js') ? 'hub/(top)' : `hub/${folder}`
  return pkg ?? '(other)'
}

async function once(label: string, root: string, run: number, opts: Options): Promise<Run> {
  const bin = join(root, 'hub', 'dist', 'bin', 'vigil-hub.js')
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-idle-'))
  if (opts.advisories) {
    // The same files for every checkout (this one's testdata), as the bench's `advisories: true` copies them.
    for (const d of ['csaf-cisa', 'csaf-oasis', 'kev', 'osv'])
      await cp(join(REPO_ROOT, 'testdata', d), join(dataDir, 'advisories', d), { recursive: true })
  }
  const probeOut = join(dataDir, 'probe.json')
  const [httpPort, mqttPort] = [await freePort(), await freePort()]
  const execArgv = ['--expose-gc', '--import', PROBE]
  if (opts.cpuProfDir)
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(opts.cpuProfDir, `${label}-${run}`)}`)
  const load1m = loadavg()[0] ?? 0
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, [...execArgv, bin, 'serve'], {
    cwd: dataDir,
    env: {
      ...benchHubEnv({ httpPort, mqttPort, dataDir }),
      VIGIL_IDLE_PROBE_OUT: probeOut,
      ...(opts.snapshotDir
        ? { VIGIL_IDLE_PROBE_SNAPSHOT: join(opts.snapshotDir, `${label}-${run}.heapsnapshot`) }
        : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const pid = child.pid ?? 0
  const stop = async () => {
    await stopHubChild(child, `${label} hub (run ${run})`)
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const ready = await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${label}: hub exited with code ${child.exitCode}`)
        try {
          return (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok
        } catch {
          return false
        }
      },
      120_000,
      25,
    )
    const readyMs = performance.now() - spawnedAt
    if (!ready) throw new Error(`${label}: hub not ready within 120 s`)
    const cpuAtReadyS = cpuSeconds(pid)
    await sleep(opts.idleMs)
    const rssIdleMB = rssMB(pid)
    child.kill('SIGUSR2')
    const answered = await waitFor(() => existsSync(probeOut) || child.exitCode !== null, 120_000, 100)
    if (!answered || !existsSync(probeOut)) throw new Error(`${label}: the probe did not answer`)
    await sleep(200) // the probe writes the file in one call; let it finish
    const report = JSON.parse(await readFile(probeOut, 'utf8')) as ProbeReport & { error?: string }
    if (report.error) throw new Error(`${label}: the probe failed: ${report.error}`)
    if (!report.gcExposed) throw new Error('the probe could not force a GC')
    const groups: Run['groups'] = {}
    for (const s of report.scripts) {
      const g = groupOf(s.url, root)
      const e = groups[g] ?? { n: 0, bytes: 0 }
      e.n++
      e.bytes += s.length
      groups[g] = e
    }
    return {
      label,
      run,
      load1m: round(load1m, 2),
      readyMs: Math.round(readyMs),
      cpuAtReadyS: round(cpuAtReadyS, 2),
      rssIdleMB: round(rssIdleMB),
      rssAfterGcMB: round(report.after.rss / MB),
      heapUsedMB: round(report.after.heapUsed / MB),
      heapTotalMB: round(report.after.heapTotal / MB),
      externalMB: round(report.after.external / MB),
      scripts: report.scripts.length,
      scriptMB: round(report.scripts.reduce((a, s) => a + s.length, 0) / MB, 2),
      groups,
      ...(run === 1 ? { list: report.scripts } : {}),
    }
  } finally {
    await stop()
  }
}

interface Options {
  idleMs: number
  /** Start with testdata's advisories in the watched folder (imported at start), not empty. */
  advisories: boolean
  snapshotDir?: string
  cpuProfDir?: string
}

const span = (xs: number[]) => {
  const s = sortNumbers(xs)
  const median = s[Math.floor((s.length - 1) / 2)] ?? Number.NaN
  return `${s[0]}–${s[s.length - 1]} (median ${median})`
}

async function main() {
  const { values } = parseArgs({
    options: {
      hub: { type: 'string', multiple: true },
      runs: { type: 'string', default: '5' },
      'idle-ms': { type: 'string', default: '5000' },
      'snapshot-dir': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      advisories: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  })
  const hubs = (values.hub ?? [`this=${REPO_ROOT}`]).map((h) => {
    const i = h.indexOf('=')
    return i > 0 ? { label: h.slice(0, i), root: resolve(h.slice(i + 1)) } : { label: h, root: resolve(h) }
  })
  const opts: Options = {
    idleMs: Number(values['idle-ms']),
    advisories: values.advisories === true,
    ...(values['snapshot-dir'] ? { snapshotDir: resolve(values['snapshot-dir']) } : {}),
    ...(values['cpu-prof-dir'] ? { cpuProfDir: resolve(values['cpu-prof-dir']) } : {}),
  }
  for (const dir of [opts.snapshotDir, opts.cpuProfDir]) if (dir) await mkdir(dir, { recursive: true })
  const runs: Run[] = []
  for (let r = 1; r <= Number(values.runs); r++) {
    for (const { label, root } of hubs) {
      const one = await once(label, root, r, opts)
      runs.push(one)
      const { groups: _, list: __, ...line } = one
      console.log(JSON.stringify(line))
    }
  }
  console.log(
    '\nlabel: ready ms | CPU s at ready | RSS idle MB | RSS after GC MB | heap used MB | scripts | script MB',
  )
  for (const { label } of hubs) {
    const mine = runs.filter((r) => r.label === label)
    const col = (k: keyof Omit<Run, 'groups' | 'label' | 'list'>) => span(mine.map((r) => r[k] as number))
    console.log(
      `${label} (load ${span(mine.map((r) => r.load1m))}): ${col('readyMs')} | ${col('cpuAtReadyS')} | ` +
        `${col('rssIdleMB')} | ${col('rssAfterGcMB')} | ${col('heapUsedMB')} | ${col('scripts')} | ${col('scriptMB')}`,
    )
  }
  // Loaded code by group, first run of each checkout side by side (largest difference first).
  const firsts = hubs.map(({ label }) => runs.find((r) => r.label === label)?.groups ?? {})
  const names = [...new Set(firsts.flatMap((g) => Object.keys(g)))]
  const kb = (g: Record<string, { n: number; bytes: number }>, n: string) => g[n] ?? { n: 0, bytes: 0 }
  const spread = (n: string) => {
    const b = firsts.map((g) => kb(g, n).bytes)
    return Math.max(...b) - Math.min(...b)
  }
  names.sort((a, b) => spread(b) - spread(a) || a.localeCompare(b))
  console.log(`\nscripts / KB of source by group: ${hubs.map((h) => h.label).join(' | ')}`)
  for (const n of names) {
    const cells = firsts.map((g) => `${kb(g, n).n} / ${Math.round(kb(g, n).bytes / 1024)}`)
    console.log(`${n.padEnd(40)} ${cells.join(' | ')}`)
  }
  if (values.out) await writeFile(values.out, JSON.stringify({ hubs, idleMs: opts.idleMs, runs }))
}

await main()
