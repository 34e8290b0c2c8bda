/** The CLI contract the hub's --local-agent relies on: `vigil-agent enroll` then `run`, against a real hub. */
import { spawn } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DeviceList } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { api, enrollmentToken, signIn, startTestHub, tempDir } from '../src/system.ts'

const agentDir = fileURLToPath(new URL('../../agent', import.meta.url))
const cli = ['--conditions=source', '--import', 'tsx', 'src/bin/vigil-agent.ts']
const env = { PATH: process.env.PATH ?? '', VIGIL_AGENT_LOG_LEVEL: 'warn' }

/** Runs the CLI without blocking this process (the hub under test lives in it). */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cli, ...args], { cwd: agentDir, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

describe('vigil-agent enroll + run against the hub', () => {
  it('enrolls with a one-use token, refuses its reuse, and runs until SIGTERM', async () => {
    const hub = await startTestHub()
    const admin = await signIn(hub)
    const token = await enrollmentToken(hub, admin)
    const dir = await tempDir('vigil-cli-')
    const enroll = await runCli([
      'enroll',
      '--hub',
      hub.httpUrl,
      `--token=${token}`,
      '--name',
      'cli-gw',
      '--dir',
      dir,
    ])
    expect(enroll.stderr).toBe('')
    expect(enroll.status).toBe(0)
    const deviceId = enroll.stdout.trim()
    const creds = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'))
    expect(creds).toMatchObject({ deviceId, mqtt: { username: deviceId } })
    expect((await stat(join(dir, 'credentials.json'))).mode & 0o777).toBe(0o600)

    const again = await runCli([
      'enroll',
      '--hub',
      hub.httpUrl,
      `--token=${token}`,
      '--dir',
      await tempDir('vigil-cli-'),
    ])
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/the hub refused the enrollment \(4\d\d\)/)

    const run = spawn(process.execPath, [...cli, 'run', '--dir', dir], {
      cwd: agentDir,
      env,
      stdio: 'ignore',
    })
    onTestFinished(() => {
      if (run.exitCode === null) run.kill('SIGKILL')
    })
    const exited = new Promise<number | null>((resolve) => run.on('exit', (c) => resolve(c)))
    const online = async () =>
      (await api<DeviceList>(hub, '/api/v1/devices', { token: admin })).body.devices.find(
        (d) => d.id === deviceId,
      )?.online
    for (let i = 0; i < 600 && !(await online()); i++) await new Promise((r) => setTimeout(r, 100))
    expect(await online()).toBe(true)
    run.kill('SIGTERM')
    expect(await exited).toBe(0)
    for (let i = 0; i < 100 && (await online()); i++) await new Promise((r) => setTimeout(r, 100))
    expect(await online()).toBe(false)
  })
})
