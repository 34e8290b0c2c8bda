/** Hub → device commands and the retained fleet baseline over a real broker. */
import { topics } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../src/agent.ts'
import { DEFAULT_BASELINE } from '../src/hardening/default-baseline.ts'
import { silentLogger } from '../src/logger.ts'
import { startBroker, type TestBroker } from './helpers/broker.ts'
import { manualClock } from './helpers/clock.ts'
import { stableBaselineFile, tempDir, testConfig, testCredentials } from './helpers/setup.ts'
import { until } from './helpers/until.ts'

function send(broker: TestBroker, topic: string, payload: unknown, retain = false): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.broker.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
        qos: 1,
        retain,
        dup: false,
      },
      (err) => (err ? reject(err) : resolve()),
    ),
  )
}

async function running() {
  const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
  onTestFinished(() => broker.close())
  const dir = await tempDir()
  const agent = createAgent({
    // a baseline whose results do not drift with the ports other tests open meanwhile
    config: testConfig(dir, { baselineFile: await stableBaselineFile(dir) }),
    credentials: testCredentials(broker.url),
    clock: manualClock(),
    logger: silentLogger,
  })
  onTestFinished(() => agent.stop())
  await agent.start()
  await until(() => broker.of('hardening').length === 1, 'first report')
  const responses = () =>
    broker.of('cmd/res') as {
      tx: string
      status: string
      data?: Record<string, unknown>
      error?: { code: string }
    }[]
  const answer = (tx: string) => until(() => responses().find((r) => r.tx === tx), `answer ${tx}`)
  return { broker, agent, answer }
}

describe('commands', () => {
  it('answers each command with the same tx through the envelope', async () => {
    const { broker, answer } = await running()
    const cmd = topics.command('dev-1')
    await send(broker, cmd, { v: 1, tx: 't1', cmd: 'ping' })
    expect(await answer('t1')).toMatchObject({ status: 'ok', data: { pong: true } })
    await send(broker, cmd, { v: 1, tx: 't2', cmd: 'send-inventory' })
    expect(await answer('t2')).toMatchObject({
      status: 'ok',
      data: { inventoryHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    })
    await until(() => broker.of('inventory').length === 2, 'inventory sent again on request')
    await send(broker, cmd, { v: 1, tx: 't3', cmd: 'send-hardening' })
    await answer('t3')
    await until(() => broker.of('hardening').length === 2, 'hardening sent again on request')
    await send(broker, cmd, { v: 1, tx: 't4', cmd: 'rescan' })
    expect((await answer('t4')).status).toBe('ok')
    await send(broker, cmd, {
      v: 1,
      tx: 't5',
      cmd: 'install-manifest',
      manifestId: 'm',
      envelope: { payloadType: 'x', payload: '', signatures: [{ sig: 'x' }] },
    })
    expect(await answer('t5')).toMatchObject({ status: 'error', error: { code: 'WRONG_PAYLOAD_TYPE' } })
    await send(broker, cmd, { v: 1, tx: 't6', cmd: 'format-disk' })
    expect(await answer('t6')).toMatchObject({ status: 'error', error: { code: 'BAD_REQUEST' } })
    await send(broker, cmd, '{not json')
    const badBaseline = { ...DEFAULT_BASELINE, version: 'two' }
    await send(broker, cmd, { v: 1, tx: 't7', cmd: 'apply-baseline', baseline: badBaseline })
    expect((await answer('t7')).status).toBe('error')
  }, 120_000)

  it('applies a newer retained fleet baseline and refuses a malformed one, keeping the previous', async () => {
    const { broker, agent } = await running()
    const fleet = {
      ...DEFAULT_BASELINE,
      id: 'fleet',
      version: 3,
      name: 'Fleet',
      checks: DEFAULT_BASELINE.checks.slice(0, 3),
    }
    await send(broker, topics.baseline(), fleet, true)
    await until(
      () => broker.of('hardening').some((h) => (h as { baseline: { id: string } }).baseline.id === 'fleet'),
      'fleet report',
    )
    expect(agent.status().baseline).toMatchObject({ id: 'fleet', version: 3, source: 'hub' })
    await send(broker, topics.baseline(), { ...fleet, version: 4, checks: [] }, true)
    await until(
      () => broker.of('event').some((e) => (e as { kind: string }).kind === 'baseline-rejected'),
      'rejection event',
    )
    expect(agent.status().baseline).toMatchObject({ id: 'fleet', version: 3 })
    const events = broker.of('event') as { kind: string; message: string }[]
    expect(events.find((e) => e.kind === 'baseline-rejected')?.message).toMatch(
      /fleet v3 stays in force.*checks/,
    )
  })
})

describe('requests racing the outbox', () => {
  it('does not queue a second copy of a report that is still waiting for its acknowledgement', async () => {
    const { broker, agent, answer } = await running()
    // a slow hub: inventory publishes are held at the broker, so the report stays in the outbox
    const held: (() => void)[] = []
    broker.broker.authorizePublish = (_client, packet, cb) => {
      if (packet.topic.endsWith('/inventory')) held.push(() => cb(null))
      else cb(null)
    }
    await agent.rescan({ inventory: true })
    await until(() => held.length === 1, 'the inventory in flight')
    await send(broker, topics.command('dev-1'), { v: 1, tx: 'race', cmd: 'send-inventory' })
    await until(() => agent.status().outbox.state === 2, 'the response queued behind the inventory')
    for (const release of held.splice(0)) release()
    broker.broker.authorizePublish = (_c, _p, cb) => cb(null)
    expect(await answer('race')).toMatchObject({ status: 'ok' })
    expect(agent.status().outbox.state).toBe(0)
    expect(broker.of('inventory')).toHaveLength(2)
  })
})
