/**
 * Through the real daemon: an install-manifest command over MQTT is verified, reported on the rollout
 * topic, and `vigil-agent status` shows the manifest, its verification result and the refusals.
 */
import { topics } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../../src/agent.ts'
import { statusCommand } from '../../src/cli/status.ts'
import { writeCredentials } from '../../src/credentials.ts'
import { silentLogger } from '../../src/logger.ts'
import { startBroker, type TestBroker } from '../helpers/broker.ts'
import { captureIo } from '../helpers/io.ts'
import { tempDir, testConfig, testCredentials } from '../helpers/setup.ts'
import { until } from '../helpers/until.ts'
import { artifactFile, keys, payload, request, sign, trustOf } from './fixtures.ts'

function send(broker: TestBroker, topic: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.broker.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(JSON.stringify(value)),
        qos: 1,
        retain: false,
        dup: false,
      },
      (err) => (err ? reject(err) : resolve()),
    ),
  )
}

describe('manifests through the agent daemon', () => {
  it('verifies a delivered manifest, reports each state and shows it in vigil-agent status', async () => {
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    await writeCredentials(dir, testCredentials(broker.url))
    const config = testConfig(dir, { manifests: { trust: [trustOf([keys.a])] } })
    const agent = createAgent({ config, logger: silentLogger })
    onTestFinished(() => agent.stop())
    await agent.start()
    await until(() => agent.status().connected || undefined, 'connected')

    const good = request(sign(payload(await artifactFile(dir))))
    await send(broker, topics.command('dev-1'), good)
    const forged = request(sign(payload(await artifactFile(dir), { version: '4.3.0' }), [keys.b]))
    await send(broker, topics.command('dev-1'), forged)
    await until(
      () =>
        (broker.of('rollout') as { state: string }[]).some((r) => r.state === 'awaiting-install') ||
        undefined,
      'awaiting install reported',
    )
    const states = (broker.of('rollout') as { manifestId: string; state: string; code?: string }[])
      .filter((r) => r.manifestId === good.manifestId)
      .map((r) => r.state)
    expect(states).toEqual(['offered', 'verified', 'downloading', 'awaiting-install'])
    await until(
      () => (broker.of('rollout') as { code?: string }[]).some((r) => r.code === 'UNKNOWN_KEY') || undefined,
      'forged one rejected',
    )
    const answers = broker.of('cmd/res') as { status: string; error?: { code: string } }[]
    expect(answers.map((a) => a.error?.code ?? a.status).sort()).toEqual(['UNKNOWN_KEY', 'ok'])

    await agent.stop()
    const io = captureIo()
    expect(await statusCommand(['--dir', dir], io)).toBe(0)
    expect(io.stdout).toMatch(/manifests\s+infusion-gw 4\.2\.1 \(awaiting-install\)/)
    expect(io.stdout).toMatch(/vendor keys\s+Acme Medical \(1 key\(s\), threshold 1, rotation 0\)/)
    expect(io.stdout).toContain('patch manifests (2)')
    expect(io.stdout).toMatch(/ok: 1 signature/)
    expect(io.stdout).toMatch(/rejected\s+UNKNOWN_KEY/)
  })
})
