import { readFileSync } from 'node:fs'
import { compile, Inventory } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { parseDpkgStatus } from '../../src/collectors/dpkg.ts'
import { buildInventory } from '../../src/collectors/inventory.ts'

const status = readFileSync(new URL('../fixtures/dpkg-status', import.meta.url), 'utf8')
const os = { platform: 'linux', id: 'debian', versionId: '12', kernel: '6.1.0', arch: 'x86_64' }
const v = compile(Inventory)

describe('buildInventory', () => {
  it('is valid, sorted, and hashes content but not time', () => {
    const a = buildInventory({ ts: new Date(1000), os, parses: [parseDpkgStatus(status, os)] })
    const b = buildInventory({ ts: new Date(2000), os, parses: [parseDpkgStatus(status, os)] })
    expect(v.validate(a).ok).toBe(true)
    expect(a.hash).toBe(b.hash)
    expect(a.packages.map((p) => p.name)).toEqual([...a.packages.map((p) => p.name)].sort())
    const c = buildInventory({
      ts: new Date(1000),
      os,
      firmwareVersion: '2.1',
      parses: [parseDpkgStatus(status, os)],
    })
    expect(c.hash).not.toBe(a.hash)
    const d = buildInventory({
      ts: new Date(1000),
      os,
      parses: [parseDpkgStatus(status.replace('3.0.17-1~deb12u2', '3.0.18-1'), os)],
    })
    expect(d.hash).not.toBe(a.hash)
  })

  it('carries collector errors', () => {
    const inv = buildInventory({
      ts: new Date(0),
      os,
      parses: [parseDpkgStatus('Package: x\nStatus: install ok installed\n', os)],
      errors: ['cannot read /x: permission denied'],
    })
    expect(inv.errors).toEqual([
      'cannot read /x: permission denied',
      'dpkg status: installed package x has no Version field',
    ])
    expect(v.validate(inv).ok).toBe(true)
  })
})
