/** `vigil-agent run` as a process: connects, then SIGTERM → shutdown state published, exit 0. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { writeCredentials } from '../../src/credentials.ts'
import { startBroker } from '../helpers/broker.ts'
import { tempDir, testCredentials } from '../helpers/setup.ts'
import { until } from '../helpers/until.ts'

const agentDir = fileURLToPath(new URL('../..', import.meta.url))

describe('vigil-agent run', () => {
  it('runs the daemon and stops in order on SIGTERM', async () => {
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    await writeCredentials(dir, testCredentials(broker.url))
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/bin/vigil-agent.ts', 'run', '--dir', dir],
      {
        cwd: agentDir,
        env: { PATH: process.env.PATH ?? '', VIGIL_AGENT_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await until(() => broker.of('hardening').length === 1, 'first report')
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(broker.of('state').at(-1)).toMatchObject({ status: 'offline', reason: 'shutdown' })
    expect(stderr).not.toMatch(/error/i)
  })

  it('says clearly when the device is not enrolled', async () => {
    const dir = await tempDir()
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/bin/vigil-agent.ts', 'run', '--dir', dir],
      { cwd: agentDir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    expect(code).toBe(1)
    expect(stderr).toMatch(/not enrolled: .*credentials.json does not exist/)
  })
})
