import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { METRICS_TOKEN } from './helpers.ts'

export interface HubProcess {
  child: ChildProcess
  httpUrl: string
  mqttUrl: string
  stderr: () => string
}

const SCRIPT = fileURLToPath(new URL('./fixtures/run-hub.ts', import.meta.url))

/** Starts `fixtures/run-hub.ts` in a child process with the given VIGIL_* environment. */
export async function spawnHub(env: Record<string, string>): Promise<HubProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', import.meta.resolve('tsx'), SCRIPT],
    {
      env: {
        ...process.env,
        VIGIL_LOG_LEVEL: 'silent',
        VIGIL_METRICS_TOKEN: METRICS_TOKEN,
        // Tests replay many reports per device quickly; the interval's own tests set it.
        VIGIL_DEVICE_REPORT_MIN_INTERVAL_SEC: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`hub process exited (${code}): ${stderr}`)))
  })
  const { httpUrl, mqttUrl } = JSON.parse(first) as { httpUrl: string; mqttUrl: string }
  return { child, httpUrl, mqttUrl, stderr: () => stderr }
}
