/**
 * Issue 12 ("Shutdown"): a real agent and `vigil-agent simulate` stop promptly on SIGTERM/SIGINT in
 * every state — connected, hub down (reconnecting with backoff), and after a graceful hub restart —
 * with an orderly offline state and nothing delivered left in the outbox. Real processes: the built
 * hub, restarted in place on the same ports and data, and the agent CLI.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { DeviceList } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import {
  agentProcess,
  freePort,
  type HubProcess,
  type Proc,
  startHubProcess,
  stopWith,
} from '../src/processes.ts'
import { api, enrollmentToken, signIn, tempDir } from '../src/system.ts'

/** Generous against "ignored SIGTERM for 200 s"; the agent's own stop budget is a few seconds. */
const STOP_LIMIT_MS = 20_000

async function until(fn: () => Promise<boolean>, what: string, proc?: Proc): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}${proc ? `: ${proc.output()}` : ''}`)
}

async function onlineCount(hub: HubProcess, admin: string): Promise<number> {
  const res = await api<DeviceList>(hub, '/api/v1/devices', { token: admin })
  return res.body.devices.filter((d) => d.online).length
}

async function hubWithPorts() {
  const opts = {
    dataDir: await tempDir('vigil-hub-'),
    httpPort: await freePort(),
    mqttPort: await freePort(),
  }
  let hub = await startHubProcess(opts)
  const admin = await signIn(hub)
  return {
    opts,
    admin,
    get hub() {
      return hub
    },
    async stop() {
      expect(await stopWith(hub, 'SIGTERM', STOP_LIMIT_MS)).toMatchObject({ code: 0 })
    },
    async restart() {
      await this.stop()
      hub = await startHubProcess(opts)
    },
  }
}

describe('agent shutdown on signals', () => {
  it('vigil-agent run stops promptly when connected, with the hub down, and after a hub restart', async () => {
    const h = await hubWithPorts()
    const dir = await tempDir('vigil-agent-')
    const enroll = agentProcess([
      'enroll',
      '--hub',
      h.hub.httpUrl,
      `--token=${await enrollmentToken(h.hub, h.admin)}`,
      '--dir',
      dir,
    ])
    expect(await enroll.exited).toMatchObject({ code: 0 })
    const run = () => agentProcess(['run', '--dir', dir])
    const outboxFiles = async () => (await readdir(join(dir, 'outbox'))).filter((f) => f !== 'sequence.json')

    // connected
    let agent = run()
    await until(async () => (await onlineCount(h.hub, h.admin)) === 1, 'the agent online', agent)
    expect(await stopWith(agent, 'SIGTERM', STOP_LIMIT_MS)).toMatchObject({ code: 0 })
    await until(async () => (await onlineCount(h.hub, h.admin)) === 0, 'the orderly offline state')
    expect(await outboxFiles()).toEqual([])

    // after a graceful hub restart, once the agent is back
    agent = run()
    await until(async () => (await onlineCount(h.hub, h.admin)) === 1, 'the agent online', agent)
    await h.restart()
    await until(async () => (await onlineCount(h.hub, h.admin)) === 1, 'the agent back online', agent)
    expect(await stopWith(agent, 'SIGINT', STOP_LIMIT_MS)).toMatchObject({ code: 0 })
    await until(async () => (await onlineCount(h.hub, h.admin)) === 0, 'the orderly offline state')
    expect(await outboxFiles()).toEqual([])

    // hub down: the agent keeps what it produced on disk and still stops
    await h.stop()
    agent = run()
    await until(async () => (await outboxFiles()).length > 0, 'state queued while the hub is down', agent)
    await new Promise((r) => setTimeout(r, 1500)) // into its reconnect backoff
    expect(await stopWith(agent, 'SIGTERM', STOP_LIMIT_MS)).toMatchObject({ code: 0 })
    expect((await outboxFiles()).length).toBeGreaterThan(0)
  }, 180_000)

  it('vigil-agent simulate stops promptly after a graceful hub restart', async () => {
    const count = 40
    const h = await hubWithPorts()
    const sim = agentProcess([
      'simulate',
      '--count',
      String(count),
      '--hub',
      h.hub.httpUrl,
      `--token=${await enrollmentToken(h.hub, h.admin, count)}`,
      '--dir',
      await tempDir('vigil-sim-'),
    ])
    await until(async () => (await onlineCount(h.hub, h.admin)) === count, 'the fleet online', sim)
    await h.restart()
    await until(async () => (await onlineCount(h.hub, h.admin)) === count, 'the fleet back online', sim)
    expect(await stopWith(sim, 'SIGTERM', STOP_LIMIT_MS)).toMatchObject({ code: 0 })
    await until(async () => (await onlineCount(h.hub, h.admin)) === 0, 'every gateway offline')
  }, 180_000)
})
