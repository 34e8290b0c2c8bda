#!/usr/bin/env node
// Installs the Debian packages the tests drive for real (Chromium for browser tests, Mosquitto and its
// clients for interop tests, PostgreSQL 15 for the hub's database engine, HAProxy and nginx for the cluster test) when they are missing. Runs
// before `pnpm test`; needs root or sudo on a machine that lacks them, and does nothing on one that
// has them.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const needed = [
  { pkg: 'chromium', probe: '/usr/bin/chromium' },
  { pkg: 'mosquitto', probe: '/usr/sbin/mosquitto' },
  { pkg: 'mosquitto-clients', probe: '/usr/bin/mosquitto_pub' },
  { pkg: 'openssl', probe: '/usr/bin/openssl' },
  { pkg: 'rpm', probe: '/usr/bin/rpm' },
  // The hub's PostgreSQL engine is tested against a real PostgreSQL 15 (initdb + pg_ctl in a temp dir).
  { pkg: 'postgresql-15', probe: '/usr/lib/postgresql/15/bin/initdb' },
  // The cluster failover test puts the documented HAProxy config (docs/examples/haproxy.cfg) in front of two hubs.
  { pkg: 'haproxy', probe: '/usr/sbin/haproxy' },
  // …and the documented nginx config (docs/examples/nginx.conf) beside it.
  { pkg: 'nginx', probe: '/usr/sbin/nginx' },
]
const missing = needed.filter((n) => !existsSync(n.probe)).map((n) => n.pkg)
if (missing.length === 0) process.exit(0)

if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
  console.error(`tests need these Debian packages, and this machine has no apt-get: ${missing.join(', ')}`)
  process.exit(1)
}
const root = process.getuid?.() === 0
const sudo = root ? [] : ['sudo', '-n']
const run = (args) => {
  const [cmd, ...rest] = [...sudo, ...args]
  console.log(`$ ${[cmd, ...rest].join(' ')}`)
  execFileSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}
console.log(`installing missing test dependencies: ${missing.join(', ')}`)
try {
  run(['apt-get', 'update', '-q'])
  run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing])
} catch (err) {
  console.error(`could not install ${missing.join(', ')}: ${err.message}`)
  process.exit(1)
}
// Debian starts mosquitto as a service on install; tests start their own brokers on their own ports.
spawnSync('sh', ['-c', 'service mosquitto stop >/dev/null 2>&1 || true'])
// Likewise the cluster Debian creates for postgresql: tests run their own servers on free ports.
spawnSync('sh', ['-c', 'service postgresql stop >/dev/null 2>&1 || true'])
spawnSync('sh', ['-c', 'service haproxy stop >/dev/null 2>&1 || true'])
spawnSync('sh', ['-c', 'service nginx stop >/dev/null 2>&1 || true'])
