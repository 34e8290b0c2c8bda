import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../../src/agent.ts'
import { checkCommand } from '../../src/cli/check.ts'
import { doctorCommand } from '../../src/cli/doctor.ts'
import { statusCommand } from '../../src/cli/status.ts'
import { writeCredentials } from '../../src/credentials.ts'
import { silentLogger } from '../../src/logger.ts'
import { startBroker } from '../helpers/broker.ts'
import { captureIo } from '../helpers/io.ts'
import { tempDir, testConfig, testCredentials } from '../helpers/setup.ts'
import { until } from '../helpers/until.ts'

describe('vigil-agent status', () => {
  it('says when the device is not enrolled', async () => {
    const io = captureIo()
    expect(await statusCommand(['--dir', await tempDir()], io)).toBe(1)
    expect(io.stdout).toMatch(/enrolled\s+no/)
    expect(io.stdout).toMatch(/not enrolled: .*credentials.json does not exist/)
  })

  it('shows the live state, then the last known state when the daemon is down', async () => {
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    await writeCredentials(dir, testCredentials(broker.url))
    const agent = createAgent({ config: testConfig(dir), logger: silentLogger })
    onTestFinished(() => agent.stop())
    await agent.start()
    await until(() => agent.status().outbox.state === 0 && agent.status().lastReportAt, 'reported')
    expect(agent.status().connected).toBe(true)
    let io = captureIo()
    await statusCommand(['--dir', dir, '--json'], io)
    const running = JSON.parse(io.stdout)
    expect(running).toMatchObject({ enrolled: true, deviceId: 'dev-1', daemon: 'running' })
    await agent.stop()
    io = captureIo()
    expect(await statusCommand(['--dir', dir], io)).toBe(0)
    expect(io.stdout).toMatch(/daemon\s+not running \(showing the last known state\)/)
    expect(io.stdout).toMatch(/device id\s+dev-1/)
    expect(io.stdout).toMatch(/outbox\s+0 state messages/)
    expect(io.stdout).toMatch(/baseline\s+Vigil default Debian gateway baseline/)
    expect(io.stdout).toMatch(/failing hardening checks/)
  })
})

describe('vigil-agent check', () => {
  it('writes a CycloneDX 1.6 SBOM of the device with purls', async () => {
    const dir = await tempDir()
    const sbomFile = join(dir, 'sbom.json')
    const io = captureIo()
    expect(await checkCommand(['--dir', dir, '--sbom', sbomFile, '--json'], io)).toBe(0)
    const posture = JSON.parse(io.stdout)
    const sbom = JSON.parse(await readFile(sbomFile, 'utf8'))
    expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' })
    expect(sbom.metadata.component.type).toBe('device')
    const libs = sbom.components.filter((c: { type: string }) => c.type === 'library')
    expect(libs).toHaveLength(posture.inventory.packages.length)
    expect(libs.every((c: { purl?: string }) => c.purl?.startsWith('pkg:'))).toBe(true)
    expect(posture.hardening.length).toBeGreaterThanOrEqual(20)
  })
})

describe('vigil-agent doctor', () => {
  it('names the failing step in plain language', async () => {
    const broker = await startBroker({ credentials: new Map([['dev-1', 'secret-1']]) })
    onTestFinished(() => broker.close())
    const dir = await tempDir()
    let io = captureIo()
    expect(await doctorCommand(['--dir', dir, '--json'], io)).toBe(1)
    expect(JSON.parse(io.stdout).findings[0]).toMatchObject({ check: 'credentials', verdict: 'fail' })

    await writeCredentials(dir, testCredentials(broker.url, 'dev-1', 'wrong'))
    io = captureIo()
    expect(await doctorCommand(['--dir', dir, '--json'], io)).toBe(1)
    const bad = JSON.parse(io.stdout).findings as { check: string; verdict: string; detail: string }[]
    expect(bad.find((f) => f.check === 'dns')?.verdict).toBe('ok')
    expect(bad.find((f) => f.check === 'tcp')?.verdict).toBe('ok')
    expect(bad.find((f) => f.check === 'tls')?.verdict).toBe('warn')
    expect(bad.find((f) => f.check === 'mqtt login')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringMatching(/refused the device credentials/),
    })

    await writeCredentials(dir, testCredentials(broker.url))
    io = captureIo()
    await doctorCommand(['--dir', dir], io)
    expect(io.stdout).toMatch(/mqtt login\s+ok\s+the broker accepts the device credentials/)
    // the test credentials name a hub HTTP address where nothing listens
    expect(io.stdout).toMatch(/hub http\s+fail\s+nothing listens at the hub's HTTP address http:\/\//)
  })
})
