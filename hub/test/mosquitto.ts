/** Debian's Mosquitto for interop tests: started on a free port with a temp config, stopped after the test. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { onTestFinished } from 'vitest'
import { tempDir } from './helpers.ts'

export const MOSQUITTO = '/usr/sbin/mosquitto'
export const hasMosquitto = existsSync(MOSQUITTO) && existsSync('/usr/bin/mosquitto_pub')
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so'
export const hasDynsec = hasMosquitto && existsSync(DYNSEC_PLUGIN) && existsSync('/usr/bin/mosquitto_ctrl')

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address !== 'object') throw new Error('no port')
  return address.port
}

/**
 * Starts Mosquitto with per-user passwords and the ACL documented in hub/README.md: each device writes
 * only under its own `vigil/v1/dev/%u/`, the hub reads all device topics and writes commands.
 */
export async function startMosquitto(
  users: Record<string, string>,
  hubUser: string,
  fixedPort?: number,
  /** More mosquitto.conf lines (e.g. `max_inflight_messages 1`). */
  extraConfig: string[] = [],
): Promise<Mosquitto> {
  const dir = await tempDir()
  const port = fixedPort ?? (await freePort())
  const passwd = join(dir, 'passwd')
  await writeFile(passwd, '')
  for (const [user, password] of Object.entries(users)) {
    execFileSync('mosquitto_passwd', ['-b', passwd, user, password])
  }
  await writeFile(
    join(dir, 'acl'),
    [
      `user ${hubUser}`,
      'topic read vigil/v1/dev/#',
      'topic write vigil/v1/dev/+/cmd/req',
      'topic write vigil/v1/fleet/#',
      '',
      ...['state', 'telemetry', 'inventory', 'hardening', 'event', 'rollout', 'cmd/res'].map(
        (kind) => `pattern write vigil/v1/dev/%u/${kind}`,
      ),
      'pattern read vigil/v1/dev/%u/cmd/req',
      'pattern read vigil/v1/fleet/#',
      '',
    ].join('\n'),
  )
  return runMosquitto(dir, port, [`password_file ${passwd}`, `acl_file ${join(dir, 'acl')}`, ...extraConfig])
}

export interface Mosquitto {
  url: string
  port: number
  dir: string
  stop(): Promise<void>
  /** Starts it again on the same port and configuration (after `stop`). */
  start(): Promise<void>
  log(): string
}

/**
 * Starts Mosquitto with the dynamic security plugin and nothing else: one dynsec admin (made with
 * `mosquitto_ctrl dynsec init`), every other client and role is the hub's to create.
 */
export async function startMosquittoDynsec(admin: {
  username: string
  password: string
}): Promise<Mosquitto> {
  const dir = await tempDir()
  const port = await freePort()
  execFileSync(
    'mosquitto_ctrl',
    ['dynsec', 'init', join(dir, 'dynsec.json'), admin.username, admin.password],
    {
      stdio: 'ignore',
    },
  )
  return runMosquitto(dir, port, [
    `plugin ${DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${join(dir, 'dynsec.json')}`,
  ])
}

async function runMosquitto(dir: string, port: number, auth: string[]): Promise<Mosquitto> {
  await writeFile(
    join(dir, 'mosquitto.conf'),
    [
      'user root',
      'persistence false',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      ...auth,
      'max_queued_messages 100000',
      'log_dest stderr',
      '',
    ].join('\n'),
  )
  let child: ChildProcess | undefined
  let log = ''
  const stop = async () => {
    const c = child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise((r) => c.once('exit', r))
    c.kill('SIGTERM')
    await exited
  }
  const start = async () => {
    const c = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] })
    child = c
    const from = log.length
    await new Promise<void>((resolve, reject) => {
      c.stderr?.on('data', (d: Buffer) => {
        log += d.toString()
        if (log.slice(from).includes('running')) resolve()
      })
      c.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${log.slice(from)}`)))
    })
  }
  onTestFinished(stop)
  await start()
  return { url: `mqtt://127.0.0.1:${port}`, port, dir, stop, start, log: () => log }
}

/**
 * An MQTT 5 client of `url` signed in as `username` (client id the same unless given), connected,
 * without reconnecting; ended when the test finishes.
 */
export async function connectClient(
  url: string,
  username: string,
  password: string,
  clientId = username,
): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 5, clientId, username, password, reconnectPeriod: 0 })
  onTestFinished(() => {
    client.end(true)
  })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
  })
  return client
}
