import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { collectHardware, portableHardware } from '../../src/collectors/identity.ts'
import { cpuLoadPercent, parseMemInfo, parseProcStat } from '../../src/collectors/proc-stat.ts'

const STAT = `cpu  100 10 50 800 40 5 3 2 1 0
cpu0 50 5 25 400 20 2 1 1 0 0
intr 12345
`

describe('/proc readers', () => {
  it('counts user+nice+system+irq+steal+guest as busy, idle apart, iowait and softirq not at all', () => {
    expect(parseProcStat(STAT)).toEqual({ busy: 100 + 10 + 50 + 5 + 2 + 1, total: 168 + 800 })
    expect(parseProcStat('intr 1\n')).toBeUndefined()
    expect(parseProcStat('cpu  a b c d\n')).toBeUndefined()
  })
  it('computes the load between two samples, since boot for the first', () => {
    const a = { busy: 100, total: 1000 }
    expect(cpuLoadPercent(undefined, a)).toBe(10)
    expect(cpuLoadPercent(a, { busy: 150, total: 1100 })).toBe(50)
    expect(cpuLoadPercent(a, a)).toBe(0)
  })
  it('reads used memory as MemTotal − MemAvailable, else free + buffers/cache', () => {
    const kb = (n: number) => n * 1024
    expect(parseMemInfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n')).toEqual({
      total: kb(1000),
      used: kb(400),
    })
    expect(
      parseMemInfo(
        'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 150 kB\nSwapCached: 9 kB\nSlab: 20 kB\n',
      ),
    ).toEqual({ total: kb(1000), used: kb(680) })
    expect(parseMemInfo('garbage')).toBeUndefined()
  })
})

describe('collectHardware', () => {
  const files = async (entries: Record<string, string>) => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-hw-'))
    for (const [file, text] of Object.entries(entries)) {
      await mkdir(join(root, dirname(file)), { recursive: true })
      await writeFile(join(root, file), text)
    }
    return root
  }
  it('reads DMI facts and drops firmware placeholders', async () => {
    const dmi = '/sys/devices/virtual/dmi/id'
    const root = await files({
      [`${dmi}/sys_vendor`]: 'Advantech\n',
      [`${dmi}/product_name`]: 'UNO-2271G\n',
      [`${dmi}/product_serial`]: 'To be filled by O.E.M.\n',
      [`${dmi}/product_uuid`]: 'ABCD-1234\n',
      '/etc/machine-id': 'feed\n',
    })
    try {
      expect(await collectHardware(root)).toEqual({
        manufacturer: 'Advantech',
        model: 'UNO-2271G',
        uuid: 'abcd-1234',
      })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
  it('falls back to the device tree and the machine id (ARM boards)', async () => {
    const root = await files({
      '/proc/device-tree/model': 'Raspberry Pi 4 Model B Rev 1.4\0',
      '/proc/device-tree/serial-number': '10000000abcdef\0',
      '/etc/machine-id': 'CAFE\n',
    })
    try {
      expect(await collectHardware(root)).toEqual({
        model: 'Raspberry Pi 4 Model B Rev 1.4',
        serial: '10000000abcdef',
        uuid: 'cafe',
      })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
  it('asks systeminformation when the Linux files say nothing (another OS), and not otherwise', async () => {
    const empty = await files({})
    try {
      let asked = 0
      const portable = async () => {
        asked++
        return { manufacturer: 'Apple Inc.' }
      }
      expect(await collectHardware(empty, portable)).toEqual({ manufacturer: 'Apple Inc.' })
      expect(asked).toBe(1)
      await collectHardware('/', portable)
      expect(asked).toBe(1) // this Linux machine has a machine id at least
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })

  it('reads real facts through systeminformation on this machine', async () => {
    const facts = await portableHardware()
    for (const [k, v] of Object.entries(facts)) {
      expect(['manufacturer', 'model', 'serial', 'uuid']).toContain(k)
      expect(v).toMatch(/\S/)
      expect(v.toLowerCase()).not.toContain('o.e.m.')
    }
  })
})
