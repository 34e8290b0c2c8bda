/**
 * Issue 12 fault (e): the agent's state directory is a real, small tmpfs filled to the last byte. The
 * agent starts and keeps collecting with the disk full (state held in memory, bounded: a newer
 * hardening report replaces a held older one), and when space returns it writes what it holds and
 * delivers in seq order, so the hub never gets an older result after a newer one and ends with the
 * agent's latest report. Needs root to mount the tmpfs; skipped (with the reason) where it cannot.
 */
import { spawnSync } from 'node:child_process'
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createAgent, enrollDevice, loadAgentConfig } from '@vigil/agent'
import type { HardeningReport } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { enrollmentToken, signIn, startTestHub, tempDir } from '../src/system.ts'
import { tcpGate } from '../src/tcp-gate.ts'

/** Mounts a tmpfs of `size` at a new directory; answers why not when it cannot. */
async function smallTmpfs(size: string): Promise<{ dir: string } | { skip: string }> {
  const dir = await tempDir('vigil-tmpfs-')
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  })
  if (r.status !== 0)
    return { skip: `cannot mount a tmpfs here: ${(r.stderr || r.error?.message || '').trim()}` }
  onTestFinished(() => {
    spawnSync('umount', ['-l', dir])
  })
  return { dir }
}

/** Fills the file system holding `dir` to the last byte; answers the filler's path. */
async function fill(dir: string): Promise<string> {
  const file = join(dir, 'filler')
  const fh = await open(file, 'w')
  const chunk = Buffer.alloc(4096, 1)
  try {
    for (;;) await fh.write(chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  }
  try {
    for (;;) await fh.write(chunk, 0, 1)
  } catch {
    // full to the byte
  }
  await fh.close()
  return file
}

describe('agent with a full state disk', () => {
  it('starts, keeps collecting in bounded memory, and delivers the latest result last after recovery', async (ctx) => {
    const fs = await smallTmpfs('512k')
    if ('skip' in fs) return ctx.skip(fs.skip)
    const hub = await startTestHub()
    const reports: HardeningReport[] = []
    hub.app.hub.hooks.add({ onHardening: (_id, r) => void reports.push(r) })
    const gate = await tcpGate(() => Number(new URL(hub.mqttUrl).port))
    const stateDir = join(fs.dir, 'agent')
    await mkdir(stateDir)
    const enrolled = await enrollDevice({
      hubUrl: hub.httpUrl,
      token: await enrollmentToken(hub, await signIn(hub)),
      name: 'full-disk-gw',
      dir: stateDir,
    })
    const credentials = { ...enrolled, mqtt: { ...enrolled.mqtt, url: `mqtt://127.0.0.1:${gate.port}` } }
    // one check whose result the test flips: each rescan yields a report different from the last
    const outside = await tempDir('vigil-flag-')
    const flag = join(outside, 'flag')
    const baselineFile = join(outside, 'baseline.json')
    await writeFile(
      baselineFile,
      JSON.stringify({
        v: 1,
        id: 'flip',
        version: 1,
        name: 'Flip',
        checks: [{ id: 'flag', kind: 'file-exists', title: 'flag', severity: 'high', path: flag }],
      }),
    )
    const config = loadAgentConfig({
      stateDir,
      env: {},
      overrides: { logLevel: 'error', baselineFile, reconnect: { minMs: 50, maxMs: 300 } },
    })
    const filler = await fill(fs.dir)

    // disk full and hub unreachable: the agent starts and collects
    const agent = createAgent({ config, credentials, statusFile: false })
    onTestFinished(() => agent.stop())
    await agent.start()
    const hashes: string[] = []
    for (let i = 0; i < 12; i++) {
      if (i % 2 === 0) await writeFile(flag, 'x').catch(() => undefined)
      else await rm(flag, { force: true })
      hashes.push((await agent.rescan({ hardening: true })).hardeningHash)
    }
    // held in memory, bounded: one hardening report (the newest) plus its drift events
    const held = agent.status().outbox.state
    expect(held).toBeLessThanOrEqual(1 + 12 + 3)

    // space returns: the next message is written, and what was held with it
    await rm(filler)
    await writeFile(flag, 'x')
    hashes.push((await agent.rescan({ hardening: true })).hardeningHash)
    const onDisk = (await readdir(join(stateDir, 'outbox'))).filter((f) => f.startsWith('s-'))
    expect(onDisk.length).toBe(agent.status().outbox.state)

    gate.open()
    for (let i = 0; i < 1500 && agent.status().outbox.state > 0; i++)
      await new Promise((r) => setTimeout(r, 20))
    expect(agent.status().outbox.state).toBe(0)
    const seqs = reports.map((r) => r.seq ?? 0)
    expect(seqs.every((n, i) => n > (seqs[i - 1] ?? 0))).toBe(true)
    expect(reports.at(-1)?.hash).toBe(hashes.at(-1))
  }, 120_000)
})
