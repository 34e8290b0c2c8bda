/**
 * One real agent (`node agent/dist/bin/vigil-agent.js run`) at its default intervals against the real
 * hub, enrolled with `vigil-agent enroll`. Its RSS and CPU are read from /proc: CPU over the measured
 * window after a warm-up (the first inventory and hardening scan), RSS as the maximum seen.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Section, Skip } from '../lib/context.ts'
import { startHubProcess } from '../lib/hub.ts'
import { cpuSeconds, REPO_ROOT, rssMB } from '../lib/proc.ts'
import { round, sleep } from '../lib/stats.ts'

const AGENT_BIN = join(REPO_ROOT, 'agent', 'dist', 'bin', 'vigil-agent.js')

export const agent: Section = {
  name: 'agent',
  async run(ctx) {
    if (!existsSync(AGENT_BIN)) throw new Skip(`${AGENT_BIN} is missing (agent not built)`)
    const hub = await startHubProcess()
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-agent-'))
    try {
      const { token } = await hub.api<{ token: string }>('POST', '/api/v1/enrollment-tokens', { uses: 1 })
      const enroll = spawnSync(
        process.execPath,
        [AGENT_BIN, 'enroll', '--hub', hub.httpUrl, '--token', token, '--name', 'bench-agent', '--dir', dir],
        { encoding: 'utf8', timeout: 60_000 },
      )
      if (enroll.status !== 0) {
        throw new Error(
          `vigil-agent enroll exited ${enroll.status}: ${(enroll.stderr || enroll.stdout).trim().split('\n')[0]}`,
        )
      }
      const child = spawn(process.execPath, [AGENT_BIN, 'run', '--dir', dir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000)
      })
      const pid = child.pid ?? 0
      try {
        let peakRss = 0
        const sample = () => {
          if (child.exitCode !== null)
            throw new Error(`vigil-agent run exited ${child.exitCode}: ${stderr.trim().split('\n')[0]}`)
          peakRss = Math.max(peakRss, rssMB(pid))
        }
        const warmEnd = Date.now() + ctx.sizes.agentWarmupSec * 1000
        const c00 = cpuSeconds(pid)
        const t00 = performance.now()
        while (Date.now() < warmEnd) {
          sample()
          await sleep(500)
        }
        const warmPeak = peakRss
        peakRss = 0
        const [c0, t0] = [cpuSeconds(pid), performance.now()]
        const end = Date.now() + ctx.sizes.agentSeconds * 1000
        while (Date.now() < end) {
          sample()
          await sleep(1000)
        }
        const [c1, t1] = [cpuSeconds(pid), performance.now()]
        const online = await hub.api<{ total: number }>('GET', '/api/v1/devices?online=true&limit=1')
        return {
          rssMB: round(peakRss),
          cpuPercent: round(((c1 - c0) / ((t1 - t0) / 1000)) * 100, 2),
          measuredSeconds: round((t1 - t0) / 1000),
          warmupSeconds: ctx.sizes.agentWarmupSec,
          startupPeakRssMB: round(warmPeak),
          cpuPercentIncludingStartup: round(((c1 - c00) / ((t1 - t00) / 1000)) * 100, 2),
          hubSawItOnline: online.total === 1,
        }
      } finally {
        if (child.exitCode === null) {
          const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
          child.kill('SIGTERM')
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
          await gone
          clearTimeout(timer)
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
      await hub.stop()
    }
  },
}
