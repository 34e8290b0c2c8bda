/** Debian's Mosquitto for interop tests: started on a free port with a temp config, stopped after the test. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { tempDir } from './helpers.ts'

export const MOSQUITTO = '/usr/sbin/mosquitto'
export const hasMosquitto = existsSync(MOSQUITTO) && existsSync('/usr/bin/mosquitto_pub')

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
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
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
  await writeFile(
    join(dir, 'mosquitto.conf'),
    [
      'user root',
      'persistence false',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      'max_queued_messages 100000',
      'log_dest stderr',
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  }
  onTestFinished(stop)
  let log = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString()
      if (log.includes('running')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${log}`)))
  })
  return { url: `mqtt://127.0.0.1:${port}`, port, stop }
}
