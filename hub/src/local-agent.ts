/**
 * `serve --local-agent`: enrolls this machine (once) and runs the agent as a child process, stopped when
 * the hub stops. The agent is the `@vigil/agent/bin` built script.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { createEnrollmentToken } from './devices/enrollment.js'

export class LocalAgentError extends Error {
  readonly code = 'VIGIL_LOCAL_AGENT'
}

export function resolveAgentBin(): string {
  let path: string
  try {
    path = fileURLToPath(import.meta.resolve('@vigil/agent/bin'))
  } catch {
    path = ''
  }
  if (!path || !existsSync(path)) {
    throw new LocalAgentError(
      'the agent is not built (no @vigil/agent/bin): run `pnpm build` at the repository root, or start without --local-agent',
    )
  }
  return path
}

export interface LocalAgent {
  deviceDir: string
  deviceId: string
  stop(): Promise<void>
}

function readDeviceId(dir: string): string {
  try {
    const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { deviceId?: unknown }
    return typeof creds.deviceId === 'string' ? creds.deviceId : 'unknown'
  } catch {
    return 'unknown'
  }
}

export async function startLocalAgent(app: FastifyInstance, httpUrl: string): Promise<LocalAgent> {
  const bin = resolveAgentBin()
  const dir = resolve(join(app.hub.config.dataDir, 'local-agent'))
  if (!existsSync(join(dir, 'credentials.json'))) {
    const { token } = createEnrollmentToken(app.hub.store, {
      uses: 1,
      expiresIn: 600,
      createdBy: 'local-agent',
    })
    // Its stdout (the device id alone) is the caller's to print; errors go to the terminal.
    const enroll = spawn(
      process.execPath,
      [bin, 'enroll', '--hub', httpUrl, `--token=${token}`, '--name', hostname(), '--dir', dir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
    const code = await new Promise<number | null>((res) => enroll.once('exit', res))
    if (code !== 0) throw new LocalAgentError(`enrolling the local agent failed (exit ${code})`)
  }
  const child = spawn(process.execPath, [bin, 'run', '--dir', dir], { stdio: 'inherit' })
  let exited = false
  const exit = new Promise<void>((res) =>
    child.once('exit', (code, signal) => {
      exited = true
      if (code !== 0 && signal === null) app.log.warn(`local agent exited with code ${code}`)
      res()
    }),
  )
  return {
    deviceDir: dir,
    deviceId: readDeviceId(dir),
    async stop() {
      if (exited) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
    },
  }
}
