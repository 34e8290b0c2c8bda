import { compile, HardeningBaseline, HardeningReport } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { shouldReplace, validateBaseline } from '../../src/hardening/baseline.ts'
import { DEFAULT_BASELINE } from '../../src/hardening/default-baseline.ts'
import { buildReport, computeDrift, runBaseline } from '../../src/hardening/run.ts'
import { gatewayFiles, virtualCheckEnv } from '../../src/simulate/virtual-env.ts'

const r = (id: string, status: 'pass' | 'fail' | 'error', evidence = 'e') => ({
  id,
  title: id,
  severity: 'low' as const,
  status,
  evidence,
})

describe('drift', () => {
  it('is empty on the first report', () => {
    expect(computeDrift(undefined, [r('a', 'fail')])).toEqual([])
  })
  it('names status changes, new checks and changed file hashes', () => {
    const prev = [r('a', 'pass'), r('b', 'fail'), r('h', 'pass', `sha256=${'1'.repeat(64)}`)]
    const cur = [
      r('a', 'fail', 'now bad'),
      r('b', 'fail'),
      r('h', 'pass', `sha256=${'2'.repeat(64)}`),
      r('n', 'pass'),
    ]
    const d = computeDrift(prev, cur)
    expect(d.map((x) => [x.id, x.from, x.to])).toEqual([
      ['a', 'pass', 'fail'],
      ['h', 'pass', 'pass'],
      ['n', null, 'pass'],
    ])
    expect(d[1]!.detail).toMatch(/file changed/)
  })
  it('builds a valid report whose hash ignores time', () => {
    const a = buildReport(DEFAULT_BASELINE, [r('a', 'pass')], undefined, new Date(1))
    const b = buildReport(DEFAULT_BASELINE, [r('a', 'pass')], undefined, new Date(2))
    expect(compile(HardeningReport).validate(a).ok).toBe(true)
    expect(a.hash).toBe(b.hash)
  })
})

describe('baselines', () => {
  it('ships a valid default Debian gateway baseline of about 20 checks', () => {
    expect(compile(HardeningBaseline).validate(DEFAULT_BASELINE).ok).toBe(true)
    expect(DEFAULT_BASELINE.checks.length).toBeGreaterThanOrEqual(20)
    expect(new Set(DEFAULT_BASELINE.checks.map((c) => c.id)).size).toBe(DEFAULT_BASELINE.checks.length)
  })
  it('refuses a malformed baseline naming the field', () => {
    const bad = validateBaseline({
      ...DEFAULT_BASELINE,
      checks: [{ id: 'x', kind: 'sysctl', title: 't', severity: 'low' }],
    })
    expect(bad.ok).toBe(false)
    const badPattern = validateBaseline({
      ...DEFAULT_BASELINE,
      checks: [{ id: 'x', kind: 'file-content', title: 't', severity: 'low', path: '/a', mustMatch: '(' }],
    })
    expect(badPattern).toMatchObject({ ok: false, message: expect.stringMatching(/invalid pattern/) })
  })
  it('a newer version of the same baseline replaces the older', () => {
    expect(shouldReplace(DEFAULT_BASELINE, { ...DEFAULT_BASELINE, version: 2 })).toBe(true)
    expect(shouldReplace({ ...DEFAULT_BASELINE, version: 2 }, DEFAULT_BASELINE)).toBe(false)
    expect(shouldReplace(DEFAULT_BASELINE, DEFAULT_BASELINE)).toBe(false)
    expect(shouldReplace(DEFAULT_BASELINE, { ...DEFAULT_BASELINE, id: 'fleet' })).toBe(true)
  })
})

describe('checks that cannot apply', () => {
  it('a gateway without an SSH server: the SSH checks are not applicable, not errors or failures', async () => {
    const files = gatewayFiles({ rootLogin: false, telnet: false, forwarding: false })
    delete files['/etc/ssh/sshd_config']
    const results = await runBaseline(DEFAULT_BASELINE, virtualCheckEnv(files))
    const ssh = results.filter((x) => x.id.startsWith('ssh') || x.id.startsWith('sshd'))
    expect(ssh.length).toBe(6)
    for (const x of ssh) {
      expect(x.status, x.id).toBe('not_applicable')
      expect(x.evidence).toBe('/etc/ssh/sshd_config does not exist (not installed)')
    }
    expect(results.filter((x) => x.status === 'fail' || x.status === 'error')).toEqual([])
    // and the hub accepts the report
    const report = buildReport(DEFAULT_BASELINE, results, undefined, new Date('2026-12-01T00:00:00Z'))
    expect(compile(HardeningReport).validate(report).ok).toBe(true)
  })

  it('a file it cannot read for another reason is an error', async () => {
    const env = virtualCheckEnv(gatewayFiles({ rootLogin: false, telnet: false, forwarding: false }))
    const denied = {
      ...env,
      readText: async () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })),
    }
    const results = await runBaseline(DEFAULT_BASELINE, denied)
    expect(results.find((x) => x.id === 'ssh-root-login')).toMatchObject({
      status: 'error',
      evidence: '/etc/ssh/sshd_config: permission denied',
    })
  })
})
