import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { HardeningCheck } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { createCheckEnv } from '../../src/hardening/env.ts'
import { CHECKS, runCheck } from '../../src/hardening/run.ts'
import { tempDir } from '../helpers/setup.ts'

const base = { title: 't', severity: 'medium' as const }

async function tree(files: Record<string, string>, mode = 0o644): Promise<string> {
  const root = await tempDir('vigil-hardening-')
  await chmod(root, 0o755)
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true, mode: 0o755 })
    await writeFile(join(root, p), content, { mode })
  }
  return root
}

const passwd =
  'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\ntoor:x:0:0::/root:/bin/sh\n'
const group = 'root:x:0:\nshadow:x:42:\n'

describe('hardening checks', () => {
  it('covers every check kind of the protocol', () => {
    expect(Object.keys(CHECKS).sort()).toEqual([
      'config-value',
      'empty-passwords',
      'file-absent',
      'file-content',
      'file-exists',
      'file-hash',
      'file-mode',
      'listening-ports',
      'service-not-running',
      'service-running',
      'sysctl',
      'uid0-accounts',
    ])
  })

  it('file exists / absent / hash / content', async () => {
    const root = await tree({ '/etc/motd': 'hello\nAuthorized use only\n' })
    const env = createCheckEnv(root)
    const run = (c: HardeningCheck) => runCheck(c, env)
    expect((await run({ ...base, id: 'a', kind: 'file-exists', path: '/etc/motd' })).status).toBe('pass')
    expect((await run({ ...base, id: 'b', kind: 'file-exists', path: '/etc/nope' })).status).toBe('fail')
    expect((await run({ ...base, id: 'c', kind: 'file-absent', path: '/etc/motd' })).status).toBe('fail')
    const h = await run({ ...base, id: 'd', kind: 'file-hash', path: '/etc/motd' })
    expect(h).toMatchObject({ status: 'pass', evidence: expect.stringMatching(/^sha256=[0-9a-f]{64}$/) })
    const pinned = h.evidence.slice(7)
    expect(
      (await run({ ...base, id: 'e', kind: 'file-hash', path: '/etc/motd', sha256: pinned })).status,
    ).toBe('pass')
    expect(
      (await run({ ...base, id: 'f', kind: 'file-hash', path: '/etc/motd', sha256: '0'.repeat(64) })).status,
    ).toBe('fail')
    expect(
      (await run({ ...base, id: 'g', kind: 'file-content', path: '/etc/motd', mustMatch: '^Authorized' }))
        .status,
    ).toBe('pass')
    const bad = await run({
      ...base,
      id: 'h',
      kind: 'file-content',
      path: '/etc/motd',
      mustNotMatch: 'hel+o',
    })
    expect(bad).toMatchObject({ status: 'fail', evidence: expect.stringContaining('"hello"') })
    expect(
      (await run({ ...base, id: 'i', kind: 'file-content', path: '/etc/missing', mustMatch: 'x' })).status,
    ).toBe('error')
  })

  it('file mode and owner with evidence', async () => {
    const root = await tree({ '/etc/passwd': passwd, '/etc/group': group, '/etc/secret': 's' })
    await chmod(join(root, 'etc/secret'), 0o664)
    const env = createCheckEnv(root)
    const r = await runCheck(
      { ...base, id: 'm', kind: 'file-mode', path: '/etc/secret', maxMode: '0640' },
      env,
    )
    expect(r.status).toBe('fail')
    expect(r.evidence).toMatch(/is 0664 .*permissions beyond 0640 \(0024\)/)
    expect(
      (await runCheck({ ...base, id: 'n', kind: 'file-mode', path: '/etc/secret', maxMode: '0664' }, env))
        .status,
    ).toBe('pass')
  })

  it('sshd_config values with defaults, sysctl values', async () => {
    const root = await tree({
      '/etc/ssh/sshd_config':
        '# comment\nPermitRootLogin no\npasswordauthentication yes\nMatch User bob\n  PermitRootLogin yes\n',
      '/proc/sys/net/ipv4/ip_forward': '1\n',
    })
    const env = createCheckEnv(root)
    const cv = (key: string, expected: string, dflt?: string) =>
      runCheck(
        {
          ...base,
          id: 'c',
          kind: 'config-value',
          path: '/etc/ssh/sshd_config',
          key,
          expected,
          ...(dflt ? { default: dflt } : {}),
        },
        env,
      )
    expect((await cv('PermitRootLogin', 'no')).status).toBe('pass')
    expect(await cv('PasswordAuthentication', 'no')).toMatchObject({
      status: 'fail',
      evidence: 'PasswordAuthentication yes, expected no',
    })
    expect((await cv('X11Forwarding', 'no', 'no')).status).toBe('pass')
    expect((await cv('MaxAuthTries', '4')).status).toBe('fail')
    const s = await runCheck(
      { ...base, id: 's', kind: 'sysctl', key: 'net.ipv4.ip_forward', expected: '0' },
      env,
    )
    expect(s).toMatchObject({ status: 'fail', evidence: 'net.ipv4.ip_forward = 1, expected 0' })
    expect(
      (await runCheck({ ...base, id: 's2', kind: 'sysctl', key: 'kernel.nope', expected: '0' }, env)).status,
    ).toBe('error')
  })

  it('listening ports from /proc/net against an allow-list', async () => {
    const tcp =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
      '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n' +
      '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2\n' +
      '   2: 0100007F:9C40 0100007F:0016 01 00000000:00000000 00:00000000 00000000     0        0 3\n'
    const udp = '  sl  local_address rem_address   st\n   0: 00000000:0044 00000000:0000 07 0\n'
    const root = await tree({ '/proc/net/tcp': tcp, '/proc/net/udp': udp })
    const env = createCheckEnv(root)
    const ok = await runCheck(
      { ...base, id: 'p', kind: 'listening-ports', allowTcp: [22, 8080], allowUdp: [68] },
      env,
    )
    expect(ok).toMatchObject({ status: 'pass', evidence: 'listening tcp [22, 8080], udp [68]' })
    const bad = await runCheck(
      { ...base, id: 'p', kind: 'listening-ports', allowTcp: [22], allowUdp: [] },
      env,
    )
    expect(bad.status).toBe('fail')
    expect(bad.evidence).toMatch(/not allowed: tcp\/8080, udp\/68/)
  })

  it('services from /proc when systemd does not run', async () => {
    const root = await tree({ '/proc/1/comm': 'init\n', '/proc/42/comm': 'sshd\n' })
    const env = createCheckEnv(root)
    expect((await runCheck({ ...base, id: 'r', kind: 'service-running', service: 'sshd' }, env)).status).toBe(
      'pass',
    )
    expect(
      (await runCheck({ ...base, id: 'r', kind: 'service-running', service: 'cron.service' }, env)).status,
    ).toBe('fail')
    expect(
      (await runCheck({ ...base, id: 'r', kind: 'service-not-running', service: 'sshd' }, env)).status,
    ).toBe('fail')
  })

  it('UID 0 accounts and empty passwords', async () => {
    const root = await tree({
      '/etc/passwd': passwd,
      '/etc/shadow': 'root:$6$x:1::::::\nguest::1::::::\nnobody:*:1::::::\n',
    })
    const env = createCheckEnv(root)
    expect(await runCheck({ ...base, id: 'u', kind: 'uid0-accounts', allow: ['root'] }, env)).toMatchObject({
      status: 'fail',
      evidence: 'UID 0 accounts not allowed: toor',
    })
    expect(
      (await runCheck({ ...base, id: 'u', kind: 'uid0-accounts', allow: ['root', 'toor'] }, env)).status,
    ).toBe('pass')
    expect(await runCheck({ ...base, id: 'e', kind: 'empty-passwords' }, env)).toMatchObject({
      status: 'fail',
      evidence: 'accounts with an empty password: guest',
    })
  })

  it('an unreadable file gives error with the reason', async () => {
    const root = await tree({ '/etc/passwd': passwd })
    const check: HardeningCheck = { ...base, id: 'e', kind: 'empty-passwords' }
    if (process.getuid?.() === 0) {
      // root reads every ordinary file; a write-only /proc/sys entry refuses reads even to root
      await symlink('/proc/sys/vm/compact_memory', join(root, 'etc/shadow'))
    } else {
      await writeFile(join(root, 'etc/shadow'), 'root::1::::::\n', { mode: 0 })
    }
    const result = await runCheck(check, createCheckEnv(root))
    expect(result).toMatchObject({
      status: 'error',
      evidence: expect.stringMatching(/\/etc\/shadow: permission denied/),
    })
    // a directory where a file should be is an error too
    const dirRoot = await tree({ '/etc/ssh/sshd_config/x': '' })
    const r = await runCheck(
      { ...base, id: 'c', kind: 'config-value', path: '/etc/ssh/sshd_config', key: 'a', expected: 'b' },
      createCheckEnv(dirRoot),
    )
    expect(r).toMatchObject({ status: 'error', evidence: '/etc/ssh/sshd_config: is a directory' })
  })
})
