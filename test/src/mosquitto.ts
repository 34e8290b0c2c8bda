/**
 * Debian's Mosquitto with its dynamic security plugin, for cross-package tests of the external-broker
 * mode: a temp directory, a free loopback port, one dynsec admin (`mosquitto_ctrl dynsec init`); every
 * other client and role is the hub's to make. Stopped when the test ends.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { freePort } from './processes.ts'
import { tempDir } from './system.ts'

const MOSQUITTO = '/usr/sbin/mosquitto'
const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so'
export const hasMosquittoDynsec =
  existsSync(MOSQUITTO) && existsSync(DYNSEC_PLUGIN) && existsSync('/usr/bin/mosquitto_ctrl')

export async function startMosquittoDynsec(admin: {
  username: string
  password: string
}): Promise<{ url: string; dir: string }> {
  const dir = await tempDir('vigil-mosquitto-')
  const port = await freePort()
  const dynsec = join(dir, 'dynamic-security.json')
  execFileSync('mosquitto_ctrl', ['dynsec', 'init', dynsec, admin.username, admin.password], {
    stdio: 'ignore',
  })
  await writeFile(
    join(dir, 'mosquitto.conf'),
    [
      'user root',
      'persistence false',
      'per_listener_settings false',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `plugin ${DYNSEC_PLUGIN}`,
      `plugin_opt_config_file ${dynsec}`,
      'max_queued_messages 100000',
      'log_dest stderr',
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  })
  let log = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString()
      if (log.includes('running')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${log}`)))
  })
  return { url: `mqtt://127.0.0.1:${port}`, dir }
}
