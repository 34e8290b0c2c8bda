import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { compile, DeviceState, Telemetry, topics } from '@vigil/protocol'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../src/agent.ts'
import { readCredentials } from '../src/credentials.ts'
import { enrollDevice } from '../src/enroll.ts'
import { silentLogger } from '../src/logger.ts'
import { startBroker } from './helpers/broker.ts'
import { manualClock } from './helpers/clock.ts'
import { tempDir, testConfig, testCredentials } from './helpers/setup.ts'
import { until } from './helpers/until.ts'

const stateV = compile(DeviceState)
const telemetryV = compile(Telemetry)

describe('agent spine', () => {
  afterEach(() => undefined)

  it('enrolls over HTTP and stores the credentials with mode 0600', async () => {
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const parsed = JSON.parse(body)
        if (req.url !== '/api/v1/enroll' || parsed.token !== 'tok') {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { code: 'VIGIL_BAD_TOKEN', message: 'unknown token' } }))
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            deviceId: 'abc',
            mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'abc', password: 'p' },
          }),
        )
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
    const port = (server.address() as { port: number }).port
    const dir = await tempDir()
    const creds = await enrollDevice({ hubUrl: `http://127.0.0.1:${port}`, token: 'tok', name: 'gw', dir })
    expect(creds.deviceId).toBe('abc')
    expect((await stat(`${dir}/credentials.json`)).mode & 0o777).toBe(0o600)
    expect(await readCredentials(dir)).toEqual(creds)
    await expect(enrollDevice({ hubUrl: `http://127.0.0.1:${port}`, token: 'nope', dir })).rejects.toThrow(
      /401.*unknown token/,
    )
  })

  it('publishes a retained birth, telemetry on the interval, and a retained shutdown state', async () => {
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    const clock = manualClock()
    const agent = createAgent({
      config: testConfig(dir),
      credentials: testCredentials(broker.url),
      clock,
      logger: silentLogger,
    })
    onTestFinished(() => agent.stop())
    await agent.start()
    const birth = await until(
      () => broker.published.find((p) => p.topic === topics.device('dev-1', 'state')),
      'birth',
    )
    expect(birth.retain).toBe(true)
    expect(birth.qos).toBe(1)
    const state = stateV.parse(birth.payload)
    if (!state.ok) throw new Error(state.message)
    expect(state.value.status).toBe('online')
    expect(state.value.identity?.os.kernel).toBeTruthy()
    expect(state.value.inventoryHash).toMatch(/^[0-9a-f]{64}$/)
    // the inventory and hardening report follow the birth
    await until(
      () => broker.of('inventory').length === 1 && broker.of('hardening').length === 1,
      'inventory+hardening',
    )
    clock.tick(10_000)
    clock.tick(10_000)
    await until(() => broker.of('telemetry').length >= 2, 'telemetry')
    for (const t of broker.of('telemetry')) expect(telemetryV.validate(t).ok).toBe(true)
    await agent.stop()
    const last = broker.of('state').at(-1) as DeviceState
    expect(last).toMatchObject({ status: 'offline', reason: 'shutdown' })
  })

  it('leaves a retained last will when the link dies', async () => {
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const agent = createAgent({
      config: testConfig(await tempDir()),
      credentials: testCredentials(broker.url),
      clock: manualClock(),
    })
    onTestFinished(() => agent.stop())
    await agent.start()
    await until(() => broker.of('state').length > 0, 'birth')
    broker.dropClients()
    const will = await until(
      () => broker.published.find((p) => p.topic.endsWith('/state') && p.payload.includes('"will"')),
      'will',
    )
    expect(will.retain).toBe(true)
  })
})

describe('agent with a corrupt package database', () => {
  it('reports the parsable part with the errors and a collector-error event, without crashing', async () => {
    const { mkdir, readFile, writeFile } = await import('node:fs/promises')
    const root = await tempDir('vigil-root-')
    await mkdir(`${root}/var/lib/dpkg`, { recursive: true })
    await mkdir(`${root}/etc`, { recursive: true })
    await writeFile(
      `${root}/var/lib/dpkg/status`,
      await readFile(new URL('./fixtures/dpkg-status-truncated', import.meta.url)),
    )
    await writeFile(
      `${root}/etc/os-release`,
      await readFile(new URL('./fixtures/os-release', import.meta.url)),
    )
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const agent = createAgent({
      config: testConfig(await tempDir(), { paths: { root } }),
      credentials: testCredentials(broker.url),
      clock: manualClock(),
      logger: silentLogger,
    })
    onTestFinished(() => agent.stop())
    await agent.start()
    const inv = (await until(() => broker.of('inventory')[0], 'inventory')) as {
      packages: { name: string }[]
      errors: string[]
    }
    expect(inv.packages.map((p) => p.name)).toEqual(['libgcc-s1', 'libssl3', 'libssl3', 'openssl'])
    expect(inv.errors.join('\n')).toMatch(/libc6 has no Version/)
    const ev = await until(
      () => (broker.of('event') as { kind: string }[]).find((e) => e.kind === 'collector-error'),
      'event',
    )
    expect(ev).toBeTruthy()
  })
})
