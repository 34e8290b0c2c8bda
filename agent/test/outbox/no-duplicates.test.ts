/**
 * Issue 12 ("Duplicates"): against a real aedes broker, state produced while connected — rapid adds
 * racing the drain — is delivered once, nothing delivered stays in the outbox, and an agent started
 * again on the same state directory re-sends nothing and continues the same seq/epoch.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../../src/agent.ts'
import { silentLogger } from '../../src/logger.ts'
import { type Published, startBroker } from '../helpers/broker.ts'
import { tempDir, testConfig, testCredentials } from '../helpers/setup.ts'
import { until } from '../helpers/until.ts'

const creds = new Map([['dev-1', 'secret-1']])
type Sequenced = { seq?: number; epoch?: string }

describe('outbox against a real broker', () => {
  it('delivers each state message once, leaves nothing behind, and re-sends nothing after a restart', async () => {
    const published: Published[] = []
    const broker = await startBroker({ credentials: creds, published })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    const make = () =>
      createAgent({
        config: testConfig(dir),
        credentials: testCredentials(broker.url),
        logger: silentLogger,
        statusFile: false,
      })
    const first = make()
    await first.start()
    await until(() => first.status().connected, 'connected')
    await Promise.all(Array.from({ length: 20 }, () => first.rescan({ hardening: true, inventory: true })))
    await until(() => first.status().outbox.state === 0, 'outbox drained')
    await first.stop()
    expect((await readdir(join(dir, 'outbox'))).filter((f) => f !== 'sequence.json')).toEqual([])

    const second = make()
    onTestFinished(() => second.stop())
    await second.start()
    await until(() => second.status().connected && second.status().outbox.state === 0, 'second drained')
    const sequenced = published
      .filter((m) => !m.topic.endsWith('/state') && !m.topic.endsWith('/telemetry'))
      .map((m) => JSON.parse(m.payload) as Sequenced)
    const seqs = sequenced.map((p) => p.seq ?? 0)
    expect(seqs.length).toBeGreaterThan(40)
    expect(new Set(seqs).size).toBe(seqs.length) // nothing delivered twice
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)) // in seq order, across the restart
    expect(new Set(sequenced.map((p) => p.epoch)).size).toBe(1)
  }, 60_000)
})
