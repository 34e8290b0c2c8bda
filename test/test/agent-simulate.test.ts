/**
 * `vigil-agent simulate`: N virtual gateways enrolled with one multi-use token, listed online by the hub;
 * with `--event-interval` they send events, and `--ack-log` lists each acknowledged one (all stored).
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DeviceList } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { api, enrollmentToken, signIn, startTestHub, tempDir } from '../src/system.ts'

const agentDir = fileURLToPath(new URL('../../agent', import.meta.url))
const COUNT = 25

describe('vigil-agent simulate', () => {
  it(`runs ${COUNT} virtual gateways that the hub lists online with CSAF identities`, async () => {
    const hub = await startTestHub()
    const admin = await signIn(hub)
    const token = await enrollmentToken(hub, admin, COUNT)
    const dir = await tempDir('vigil-sim-')
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'src/bin/vigil-agent.ts',
        'simulate',
        '--count',
        String(COUNT),
        '--hub',
        hub.httpUrl,
        '--token',
        token,
        '--dir',
        dir,
        '--telemetry-interval',
        '2',
        '--event-interval',
        '1',
        '--ack-log',
        join(dir, 'acked.log'),
      ],
      { cwd: agentDir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    )
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let list: DeviceList | undefined
    for (let i = 0; i < 600; i++) {
      list = (await api<DeviceList>(hub, '/api/v1/devices', { token: admin })).body
      if (list.devices.filter((d) => d.online && d.cpuPct !== undefined).length === COUNT) break
      if (child.exitCode !== null) throw new Error(`simulate exited: ${stderr}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(list?.devices.filter((d) => d.online)).toHaveLength(COUNT)
    expect(list?.devices.every((d) => d.vendor && d.model && d.firmwareVersion)).toBe(true)
    expect(new Set(list?.devices.map((d) => d.packages)).size).toBeGreaterThan(1)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    // The ack log, complete after the exit: each gateway's start-up inventory, hardening and event,
    // then its simulated events, each with its sequence, and every acknowledged event is on the hub.
    const acked = (await readFile(join(dir, 'acked.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
    const ids = list?.devices.map((d) => d.id) ?? []
    expect(new Set(acked.map(([id]) => id))).toEqual(new Set(ids))
    expect(acked.every((l) => l.length === 4 && Number(l[2]) > 0)).toBe(true)
    for (const id of ids) {
      const mine = acked.filter(([d, , , kind]) => d === id && kind === 'event')
      expect(mine.length).toBeGreaterThanOrEqual(1)
      const res = await api<{ events: { event: { seq?: number; epoch?: string } }[] }>(
        hub,
        `/api/v1/devices/${id}/events?limit=1000`,
        { token: admin },
      )
      const stored = new Set(res.body.events.map((e) => `${e.event.epoch} ${e.event.seq}`))
      expect(mine.filter(([, epoch, seq]) => !stored.has(`${epoch} ${seq}`))).toEqual([])
    }
    expect(acked.filter((l) => l[3] === 'event').length).toBeGreaterThan(ids.length)
  })
})
