/** Faults of issue 3 against a real aedes broker: restart, long outage across agent restarts, bad credentials. */
import { createServer } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../src/agent.ts'
import { readStatus } from '../src/cli/status.ts'
import { silentLogger } from '../src/logger.ts'
import { type Published, startBroker } from './helpers/broker.ts'
import { manualClock } from './helpers/clock.ts'
import { stableBaselineFile, tempDir, testConfig, testCredentials } from './helpers/setup.ts'
import { until } from './helpers/until.ts'

const creds = new Map([['dev-1', 'secret-1']])

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

const stateKinds = (p: Published[]) =>
  p.filter((m) => /\/(inventory|hardening|event|cmd\/res)$/.test(m.topic))
const ts = (m: Published) => (JSON.parse(m.payload) as { ts: string }).ts

describe('agent under faults', () => {
  it('broker restart mid-run: reconnects, re-announces, nothing lost', async () => {
    const published: Published[] = []
    let broker = await startBroker({ credentials: creds, published })
    const port = broker.port
    onTestFinished(() => broker.close())
    const clock = manualClock()
    const agent = createAgent({
      config: testConfig(await tempDir()),
      credentials: testCredentials(broker.url),
      clock,
      logger: silentLogger,
    })
    onTestFinished(() => agent.stop())
    await agent.start()
    // Everything of the start (inventory, hardening, the agent-started event) acknowledged first, so
    // what the outbox holds below is exactly what was produced while the broker was away.
    await until(
      () => broker.of('hardening').length === 1 && agent.status().outbox.state === 0,
      'first report delivered',
    )
    await broker.close()
    await until(() => !agent.status().connected, 'disconnect')
    await agent.rescan({ inventory: true, hardening: true })
    clock.tick(10_000)
    await until(() => agent.status().outbox.telemetry === 1, 'telemetry queued')
    expect(agent.status().outbox.state).toBe(2)
    broker = await startBroker({ credentials: creds, port, published })
    await until(
      () => agent.status().outbox.state === 0 && agent.status().outbox.telemetry === 0,
      'outbox drained',
    )
    expect(broker.of('inventory')).toHaveLength(2)
    expect(broker.of('hardening')).toHaveLength(2)
    expect(broker.of('state').filter((s) => (s as { status: string }).status === 'online')).toHaveLength(2)
  })

  it('hub down for the whole run, agent restarted twice: everything arrives in order when it comes back', async () => {
    const port = await freePort()
    const url = `mqtt://127.0.0.1:${port}`
    const dir = await tempDir()
    const clock = manualClock()
    const config = testConfig(dir, { baselineFile: await stableBaselineFile(dir) })
    for (const round of [1, 2]) {
      const agent = createAgent({ config, credentials: testCredentials(url), clock, logger: silentLogger })
      await agent.start()
      await agent.rescan({ hardening: true })
      clock.tick(10_000)
      await agent.stop()
      expect(agent.status().outbox.state).toBeGreaterThanOrEqual(round * 3)
    }
    const agent = createAgent({ config, credentials: testCredentials(url), clock, logger: silentLogger })
    onTestFinished(() => agent.stop())
    await agent.start()
    const queued = agent.status().outbox
    // 1st: inventory, hardening, started, hardening; 2nd: started, hardening; 3rd: started
    expect(queued.state).toBe(7)
    expect(queued.telemetry).toBe(2)
    const broker = await startBroker({ credentials: creds, port })
    onTestFinished(() => broker.close())
    await until(
      () => agent.status().outbox.state === 0 && agent.status().outbox.telemetry === 0,
      'outbox drained',
    )
    const state = stateKinds(broker.published)
    expect(state).toHaveLength(7)
    expect(state.map(ts)).toEqual([...state.map(ts)].sort())
    expect(state.map((m) => m.topic.split('/').at(-1))).toEqual([
      'inventory',
      'hardening',
      'event',
      'hardening',
      'event',
      'hardening',
      'event',
    ])
    expect(broker.of('event').map((e) => (e as { kind: string }).kind)).toEqual([
      'agent-started',
      'agent-started',
      'agent-started',
    ])
    // the birth goes first, telemetry after the state
    expect(broker.published[0]!.topic).toMatch(/\/state$/)
    expect(broker.published.findIndex((m) => m.topic.endsWith('/telemetry'))).toBeGreaterThan(
      broker.published.indexOf(state.at(-1)!),
    )
  })

  it('wrong credentials: a clear error, exponential backoff, no tight loop', async () => {
    const broker = await startBroker({ credentials: creds })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    const delays: number[] = []
    const agent = createAgent({
      config: testConfig(dir, { reconnect: { minMs: 50, maxMs: 10_000 } }),
      credentials: testCredentials(broker.url, 'dev-1', 'wrong'),
      random: () => 0.9999,
      logger: {
        ...silentLogger,
        debug: (m) => {
          const d = /reconnect attempt \d+ in (\d+) ms/.exec(m)
          if (d) delays.push(Number(d[1]))
        },
      },
    })
    onTestFinished(() => agent.stop())
    await agent.start()
    await until(() => broker.connects.length >= 4, '4 attempts')
    expect(broker.connects.every((c) => !c.ok)).toBe(true)
    expect(delays.slice(0, 3)).toEqual([50, 100, 200])
    expect(agent.status().lastError).toMatchObject({
      code: 'BAD_CREDENTIALS',
      message: expect.stringMatching(/refused the device credentials/),
    })
    await agent.stop()
    const report = await readStatus(dir, 10, new Date())
    expect(report.last?.lastError?.code).toBe('BAD_CREDENTIALS')
    expect(report.daemon).toBe('stopped')
  })
})
