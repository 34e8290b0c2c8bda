/**
 * The documented reverse proxies (docs/examples/haproxy.cfg, docs/examples/nginx.conf) in front of two
 * hub processes, started from those very files: HAProxy reads its addresses from the environment;
 * nginx's file has them written in, so the test substitutes the example addresses, the listen port and
 * the certificate paths (and fails when the documented file no longer has them). Both run in the
 * foreground and are stopped when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { selfSignedCertificate } from '../../hub/test/certificates.ts'
import { freePort } from './processes.ts'
import { tempDir, until } from './system.ts'

export const HAPROXY = '/usr/sbin/haproxy'
export const NGINX = '/usr/sbin/nginx'
export const hasHaproxy = existsSync(HAPROXY)
export const hasNginx = existsSync(NGINX) && existsSync('/usr/bin/openssl')
const example = (name: string) => fileURLToPath(new URL(`../../docs/examples/${name}`, import.meta.url))

export interface ReverseProxy {
  name: 'haproxy' | 'nginx'
  /** http://… or https://… */
  url: string
  /** the CA a client must trust (nginx's documented config is TLS-only: a self-signed certificate) */
  ca?: string
  /** a GET through the proxy; `upstream` names the hub (`a`/`b`) that answered, when the proxy says */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; upstream?: string }>
}

function foreground(cmd: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(cmd, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  })
  return { child, log: () => log }
}

async function ready(p: ReverseProxy, child: ChildProcess, log: () => string): Promise<ReverseProxy> {
  await until(
    `${p.name} to answer /readyz`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${p.name} exited: ${log()}`)
      return (await p.get('/readyz').catch(() => undefined))?.status === 200
    },
    20_000,
  )
  return p
}

/** HAProxy with docs/examples/haproxy.cfg; hubs are `host:port`. Its sticky cookie is VIGILHUB=a|b. */
export async function startHaproxy(hubA: string, hubB: string): Promise<ReverseProxy> {
  const bind = `127.0.0.1:${await freePort()}`
  const { child, log } = foreground(HAPROXY, ['-db', '-f', example('haproxy.cfg')], {
    VIGIL_PROXY_BIND: bind,
    VIGIL_HUB_A: hubA,
    VIGIL_HUB_B: hubB,
  })
  const url = `http://${bind}`
  return ready(
    {
      name: 'haproxy',
      url,
      async get(path, headers = {}) {
        const res = await fetch(`${url}${path}`, { headers })
        return { status: res.status }
      },
    },
    child,
    log,
  )
}

/**
 * nginx with docs/examples/nginx.conf included in a minimal main file (foreground, its own prefix, pid
 * and logs). The main file adds one response header naming the upstream that answered, so the test
 * knows which hub the proxy's stickiness (ip_hash) picked for this machine.
 */
export async function startNginx(hubA: string, hubB: string): Promise<ReverseProxy> {
  const dir = await tempDir('vigil-nginx-')
  await mkdir(join(dir, 'logs'))
  const port = await freePort()
  // The hub tests' throwaway certificate maker (openssl, for 127.0.0.1): one, not a copy.
  const { cert: crt, key } = await selfSignedCertificate()
  let site = await readFile(example('nginx.conf'), 'utf8')
  const substitute = (from: string | RegExp, to: string) => {
    const before = site
    site = site.replace(from, to)
    if (site === before) throw new Error(`docs/examples/nginx.conf no longer has ${String(from)}`)
  }
  substitute(/listen 443 /, `listen 127.0.0.1:${port} `)
  substitute('server 10.0.0.11:8080 ', `server ${hubA} `)
  substitute('server 10.0.0.12:8080 ', `server ${hubB} `)
  substitute('/etc/nginx/certs/vigil.crt', crt)
  substitute('/etc/nginx/certs/vigil.key', key)
  await writeFile(join(dir, 'vigil.conf'), site)
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(dir, t)};`)
    .join('\n')
  await writeFile(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
${temp}
  add_header X-Vigil-Upstream $upstream_addr always;
  include ${join(dir, 'vigil.conf')};
}
`,
  )
  const { child, log } = foreground(NGINX, ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')])
  const ca = await readFile(crt, 'utf8')
  const names = new Map([
    [hubA, 'a'],
    [hubB, 'b'],
  ])
  const url = `https://127.0.0.1:${port}`
  return ready(
    {
      name: 'nginx',
      url,
      ca,
      get: (path, headers = {}) =>
        new Promise((resolve, reject) => {
          const req = request(`${url}${path}`, { ca, headers }, (res) => {
            res.resume()
            const upstream = String(res.headers['x-vigil-upstream'] ?? '')
              .split(', ')
              .at(-1)
            resolve({ status: res.statusCode ?? 0, upstream: upstream ? names.get(upstream) : undefined })
          })
          req.on('error', reject)
          req.end()
        }),
    },
    child,
    log,
  )
}
