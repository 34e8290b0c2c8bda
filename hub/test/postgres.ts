/**
 * A real PostgreSQL 15 for tests (Debian's `postgresql-15`, no Docker): `initdb` + `pg_ctl` into a
 * temp directory, listening on 127.0.0.1 on a free port. PostgreSQL refuses to run as root, so as root
 * the server runs as the `postgres` user (`runuser -u postgres --`). Each test database belongs to a
 * plain login role that owns it and is no superuser (what the hub gets in production).
 *
 * Reusable by cross-package tests: `startPostgres()` → `createDatabase()` → the URL for
 * VIGIL_DATABASE_URL; `stop()` tears everything down. `restart()` and `tablespaceOn()` drive faults.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)
export const PG_BIN = process.env.VIGIL_PG_BIN ?? '/usr/lib/postgresql/15/bin'
/** Whether this machine has PostgreSQL 15's server binaries (tests that need one skip without). */
export const hasPostgres = existsSync(join(PG_BIN, 'initdb'))
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
/** The OS user the server runs as. */
const OS_USER = asRoot ? 'postgres' : undefined

export interface TestPostgres {
  readonly port: number
  readonly dir: string
  /** With `tls`: the CA that signed the server's certificate (for 127.0.0.1). */
  readonly caFile?: string
  /** A new database owned by a new non-superuser login role; answers its postgres:// URL. */
  createDatabase(opts?: { tablespace?: string }): Promise<string>
  /** A copy of the database of `url` (same owner, e.g. a prepared fleet); answers its URL. */
  cloneDatabase(url: string): Promise<string>
  /** Runs SQL as the superuser (setup and inspection only). */
  admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>
  /** A tablespace in `dir` (made accessible to the server), for a database on a small disk. */
  tablespaceOn(dir: string): Promise<string>
  /** Stops the server (`immediate`: like a crash, recovery at the next start). */
  stopServer(mode?: 'fast' | 'immediate'): Promise<void>
  startServer(): Promise<void>
  /** Stops the server and removes everything. */
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function asServerUser(cmd: string, args: string[]): Promise<string> {
  const [file, argv] = OS_USER ? ['runuser', ['-u', OS_USER, '--', cmd, ...args]] : [cmd, args]
  try {
    const { stdout } = await run(file, argv, { maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? ''} ${e.message}`)
  }
}

async function giveToServer(path: string): Promise<void> {
  if (!OS_USER) return
  const { stdout } = await run('id', ['-u', OS_USER])
  const { stdout: gid } = await run('id', ['-g', OS_USER])
  await chown(path, Number(stdout.trim()), Number(gid.trim()))
}

/** A CA and a server certificate for 127.0.0.1 signed by it (openssl), owned by the server user. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const f = (name: string) => join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=vigil-test-ca',
  ])
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ])
  await writeFile(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
  ])
  await chmod(f('server.key'), 0o600)
  await giveToServer(f('server.key'))
  await giveToServer(f('server.crt'))
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') }
}

export async function startPostgres(opts: { tls?: boolean } = {}): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-pg-'))
  await giveToServer(dir)
  const tls = opts.tls ? await makeCertificates(dir) : undefined
  const data = join(dir, 'data')
  const port = await freePort()
  await asServerUser(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
  ])
  const ctl = (args: string[]) => asServerUser(join(PG_BIN, 'pg_ctl'), ['-D', data, ...args])
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=200',
    '-c shared_buffers=16MB',
    ...(tls ? ['-c ssl=on', `-c ssl_cert_file=${tls.cert}`, `-c ssl_key_file=${tls.key}`] : []),
  ].join(' ')
  const startServer = async () => {
    await ctl(['-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start'])
  }
  await startServer()
  const admin = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' })
    await client.connect()
    try {
      return (await client.query<T>(sql, params)).rows
    } finally {
      await client.end()
    }
  }
  let n = 0
  let stopped = false
  return {
    port,
    dir,
    ...(tls ? { caFile: tls.ca } : {}),
    admin,
    async createDatabase(opts = {}) {
      n++
      const name = `vigil_t${n}`
      const password = `pw-${n}-${Math.random().toString(36).slice(2)}`
      await admin(
        `CREATE ROLE ${name} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`,
      )
      await admin(
        `CREATE DATABASE ${name} OWNER ${name}${opts.tablespace ? ` TABLESPACE ${opts.tablespace}` : ''}`,
      )
      return `postgres://${name}:${password}@127.0.0.1:${port}/${name}`
    },
    async cloneDatabase(url) {
      const from = new URL(url)
      const source = from.pathname.slice(1)
      n++
      const name = `${source}_c${n}`
      await admin(`CREATE DATABASE ${name} TEMPLATE ${source} OWNER ${decodeURIComponent(from.username)}`)
      from.pathname = `/${name}`
      return from.toString()
    },
    async tablespaceOn(path) {
      await mkdir(path, { recursive: true })
      await giveToServer(path)
      n++
      const name = `vigil_ts${n}`
      await admin(`CREATE TABLESPACE ${name} LOCATION '${path}'`)
      return name
    },
    stopServer: (mode = 'fast') => ctl(['-m', mode, '-w', 'stop']).then(() => undefined),
    startServer,
    async stop() {
      if (stopped) return
      stopped = true
      await ctl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The server log (for a failing test's message). */
export async function serverLog(pgServer: TestPostgres): Promise<string> {
  return readFile(join(pgServer.dir, 'server.log'), 'utf8').catch(() => '')
}
