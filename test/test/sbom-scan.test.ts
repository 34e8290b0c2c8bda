/**
 * Issue 18.3: one SBOM convention for source packages. A real agent reports this machine's dpkg
 * inventory; advisories name Debian source packages (as DSA/DLA records do); the offline scanner fed
 * the agent's own SBOM (`vigil-agent check --sbom`) and the hub's device SBOM must find exactly what
 * the hub found for that device — including binaries whose source has another name (libssl3 → openssl).
 *
 * The advisories are test records in the real OSV format, written against whatever source packages this
 * machine has installed (the real OSV data in testdata/ covers older Debian releases only).
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FindingList, Inventory } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { api, signIn, startAgent, startTestHub, tempDir, until } from '../src/system.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A CLI from source, as agent-cli.test.ts runs it, without blocking this process (the hub lives here). */
function cli(
  pkg: 'agent' | 'hub',
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = pkg === 'agent' ? 'src/bin/vigil-agent.ts' : 'src/bin/vigil-hub.ts'
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', bin, ...args], {
      cwd: join(ROOT, pkg),
      env: { PATH: process.env.PATH ?? '', VIGIL_AGENT_LOG_LEVEL: 'warn' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const key = (f: { advisory: string; component: { name: string; version: string } }) =>
  `${f.advisory} ${f.component.name}@${f.component.version}`

describe('vigil-hub scan and the hub agree on a device', () => {
  it('finds in the agent’s SBOM and in the hub’s SBOM what the hub found, source packages included', async () => {
    const hub = await startTestHub()
    const token = await signIn(hub)
    const agent = await startAgent(hub, token, { name: 'sbom-scan' })
    const inventory = await until('the agent inventory', async () => {
      const hash = hub.app.hub.registry.get(agent.deviceId)?.inventoryHash
      return hash ? ((await hub.app.hub.store.inventories.get(hash)) as Inventory | undefined) : undefined
    })
    expect(inventory.os.id).toBe('debian')
    const release = inventory.os.versionId?.split('.')[0] ?? ''
    const debs = inventory.packages.filter((p) => p.ecosystem === 'deb')
    // source packages whose binaries are named otherwise (openssl → libssl3, glibc → libc6, …)
    const sources = [
      ...new Set(debs.filter((p) => p.source && p.source.name !== p.name).map((p) => p.source?.name)),
    ].slice(0, 3) as string[]
    expect(sources.length).toBeGreaterThan(0)

    const dir = await tempDir('vigil-sbom-scan-')
    await mkdir(join(dir, 'advisories'))
    for (const [i, name] of sources.entries()) {
      const record = {
        schema_version: '1.6.0',
        id: `x_VIGIL-SBOM-${i + 1}`,
        modified: '2026-12-01T00:00:00Z',
        published: '2026-12-01T00:00:00Z',
        aliases: [`CVE-2099-10${i + 1}`],
        summary: `${name} - test advisory`,
        affected: [
          {
            package: { ecosystem: `Debian:${release}`, name },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99999:1.0' }] }],
          },
        ],
      }
      await writeFile(join(dir, 'advisories', `${record.id}.json`), JSON.stringify(record))
      const res = await api(hub, '/api/v1/advisories', {
        method: 'POST',
        token,
        body: JSON.stringify(record),
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    // every installed binary built from those sources is affected
    const expected = debs
      .filter((p) => sources.includes(p.source?.name ?? p.name))
      .flatMap((p) =>
        sources
          .map((s, i) =>
            s === (p.source?.name ?? p.name) ? `x_VIGIL-SBOM-${i + 1} ${p.name}@${p.version}` : '',
          )
          .filter(Boolean),
      )
      .sort()
    expect(expected.some((k) => !sources.some((s) => k.includes(` ${s}@`)))).toBe(true)

    const hubFindings = await until('the hub’s findings', async () => {
      const res = await api<FindingList>(hub, `/api/v1/findings?device=${agent.deviceId}&limit=1000`, {
        token,
      })
      return res.body.findings.length >= expected.length ? res.body.findings : undefined
    })
    expect(hubFindings.map(key).sort()).toEqual(expected)

    // the agent's own SBOM of this machine
    const agentSbom = join(dir, 'agent-sbom.json')
    const check = await cli('agent', ['check', '--json', '--sbom', agentSbom, '--dir', dir])
    expect(check.code, check.stderr).toBe(0)
    // the hub's SBOM of the device
    const hubSbom = join(dir, 'hub-sbom.json')
    const sbom = await api(hub, `/api/v1/devices/${agent.deviceId}/sbom`, { token })
    expect(sbom.status).toBe(200)
    await writeFile(hubSbom, JSON.stringify(sbom.body))

    for (const file of [agentSbom, hubSbom]) {
      const scan = await cli('hub', [
        'scan',
        '--sbom',
        file,
        '--advisories',
        join(dir, 'advisories'),
        '--json',
      ])
      expect(scan.code, `${file}: ${scan.stderr}`).toBe(1) // 1 = findings
      const found = (JSON.parse(scan.stdout) as { findings: Parameters<typeof key>[0][] }).findings
      expect([...new Set(found.map(key))].sort(), file).toEqual(expected)
    }
    expect(JSON.parse(await readFile(agentSbom, 'utf8')).components.length).toBeGreaterThan(debs.length)
  }, 120_000)
})
