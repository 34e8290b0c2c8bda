import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { topicTableMarkdown } from '../src/build/documents.ts'
import {
  CommandRequest,
  CommandResponse,
  compile,
  DeviceState,
  HardeningBaseline,
  Inventory,
  ManifestPayload,
  Telemetry,
} from '../src/index.ts'

const hash = 'a'.repeat(64)
const ts = '2026-11-28T10:00:00.000Z'
const os = {
  platform: 'linux',
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  kernel: '6.1.0-18-amd64',
  arch: 'x64',
}

describe('DeviceState', () => {
  const v = compile(DeviceState)
  it('accepts a birth and a last will', () => {
    expect(
      v.check({ v: 1, status: 'online', ts, inventoryHash: hash, identity: { hostname: 'gw-1', os } }),
    ).toBe(true)
    expect(v.check({ v: 1, status: 'offline', ts, reason: 'will' })).toBe(true)
  })
  it('rejects an unknown status and names the field', () => {
    const r = v.validate({ v: 1, status: 'sleeping', ts })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain('/status')
  })
  it('rejects a wrong protocol version', () => {
    expect(v.check({ v: 2, status: 'online', ts })).toBe(false)
  })
})

describe('Inventory', () => {
  const v = compile(Inventory)
  const pkg = {
    name: 'libssl3',
    version: '3.0.17-1~deb12u2',
    ecosystem: 'deb',
    arch: 'amd64',
    source: { name: 'openssl', version: '3.0.17-1~deb12u2' },
    purl: 'pkg:deb/debian/libssl3@3.0.17-1~deb12u2?arch=amd64&distro=debian-12',
  }
  it('accepts an inventory', () => {
    expect(v.check({ v: 1, ts, hash, os, packages: [pkg] })).toBe(true)
  })
  it('rejects a bad hash and an unknown ecosystem', () => {
    expect(v.check({ v: 1, ts, hash: 'xyz', os, packages: [] })).toBe(false)
    expect(v.check({ v: 1, ts, hash, os, packages: [{ ...pkg, ecosystem: 'snap' }] })).toBe(false)
  })
})

describe('Telemetry', () => {
  const v = compile(Telemetry)
  const sample = {
    v: 1,
    ts,
    cpu: { loadPct: 12.5 },
    mem: { total: 8e9, used: 2e9 },
    disks: [{ mount: '/', size: 1e11, used: 5e10 }],
    net: { rxBps: 100, txBps: 50 },
    uptimeSec: 3600,
    processes: 120,
  }
  it('accepts a sample', () => expect(v.check(sample)).toBe(true))
  it('rejects a CPU load over 100 %', () => {
    const r = v.validate({ ...sample, cpu: { loadPct: 140 } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain('/cpu/loadPct')
  })
})

describe('HardeningBaseline', () => {
  const v = compile(HardeningBaseline)
  const check = {
    id: 'ssh-root',
    title: 'No root login',
    severity: 'high',
    kind: 'config-value',
    path: '/etc/ssh/sshd_config',
    key: 'PermitRootLogin',
    expected: 'no',
  }
  it('accepts a baseline', () =>
    expect(v.check({ v: 1, id: 'debian-gw', version: 3, name: 'Debian gateway', checks: [check] })).toBe(
      true,
    ))
  it('rejects an unknown check kind and an empty baseline', () => {
    expect(v.check({ v: 1, id: 'x', version: 1, name: 'x', checks: [{ ...check, kind: 'magic' }] })).toBe(
      false,
    )
    expect(v.check({ v: 1, id: 'x', version: 1, name: 'x', checks: [] })).toBe(false)
  })
  it('rejects a relative path', () => {
    expect(
      v.check({ v: 1, id: 'x', version: 1, name: 'x', checks: [{ ...check, path: 'etc/passwd' }] }),
    ).toBe(false)
  })
})

describe('command envelope', () => {
  it('accepts requests and both response forms', () => {
    expect(compile(CommandRequest).check({ v: 1, tx: 't1', cmd: 'send-inventory' })).toBe(true)
    expect(compile(CommandResponse).check({ v: 1, tx: 't1', status: 'ok', data: { sent: true } })).toBe(true)
    expect(
      compile(CommandResponse).check({
        v: 1,
        tx: 't1',
        status: 'error',
        error: { code: 'E_UNKNOWN', message: 'x' },
      }),
    ).toBe(true)
  })
  it('rejects an unknown command and a response without tx', () => {
    expect(compile(CommandRequest).check({ v: 1, tx: 't1', cmd: 'rm-rf' })).toBe(false)
    expect(compile(CommandResponse).check({ v: 1, status: 'ok' })).toBe(false)
  })
})

describe('ManifestPayload', () => {
  const v = compile(ManifestPayload)
  const m = {
    vendor: 'Acme Medical',
    product: 'Infusion Gateway',
    version: '2.4.1',
    releasedAt: ts,
    expiresAt: '2027-11-28T10:00:00.000Z',
    appliesTo: { models: ['IG-200'], versions: 'vers:generic/<2.4.1' },
    fixes: ['CVE-2024-12345'],
    artifacts: [
      { name: 'fw-2.4.1.bin', url: 'https://vendor.example/fw-2.4.1.bin', sha256: hash, size: 1024 },
    ],
  }
  it('accepts the manifest of the spec', () => expect(v.check(m)).toBe(true))
  it('rejects an artifact name with a path', () => {
    expect(v.check({ ...m, artifacts: [{ ...m.artifacts[0], name: '../../etc/passwd' }] })).toBe(false)
  })
})

describe('parse', () => {
  const v = compile(DeviceState)
  it('reports malformed JSON, oversize payloads and bad UTF-8 without throwing', () => {
    expect(v.parse('{nope')).toMatchObject({ ok: false, reason: 'json' })
    expect(v.parse('x'.repeat(100), 10)).toMatchObject({ ok: false, reason: 'size' })
    expect(v.parse(new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false, reason: 'json' })
    expect(v.parse(JSON.stringify({ v: 1, status: 'online', ts }))).toMatchObject({ ok: true })
  })
})

describe('protocol/README.md', () => {
  // Cells are compared trimmed: the formatter may pad the table's columns.
  const cells = (table: string) =>
    table
      .trim()
      .split('\n')
      .filter((line) => !/^\|[\s|-]+\|$/.test(line))
      .map((line) => line.split('|').map((c) => c.trim()))
  it('holds the generated topic table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const table = readme.split('<!-- topics:start -->')[1]?.split('<!-- topics:end -->')[0] ?? ''
    expect(cells(table)).toEqual(cells(topicTableMarkdown()))
  })
})
