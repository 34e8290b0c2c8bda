import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, main, USAGE } from '../../src/cli/main.ts'
import { captureIo } from '../helpers/io.ts'

describe('vigil-agent --help', () => {
  it('prints the overview on stdout and exits 0', async () => {
    const io = captureIo()
    expect(await main(['--help'], io)).toBe(0)
    expect(io.stdout).toBe(`${USAGE}\n`)
    expect(io.stderr).toBe('')
  })

  it.each(COMMAND_NAMES)('%s --help and -h print its usage on stdout and exit 0', async (name) => {
    expect(USAGE).toContain(`  ${name} `)
    for (const flag of ['--help', '-h']) {
      const io = captureIo()
      expect(await main([name, flag], io)).toBe(0)
      expect(io.stdout).toMatch(new RegExp(`^usage: vigil-agent ${name}\\b`))
      expect(io.stderr).toBe('')
    }
  })

  it('walks the whole table', () => {
    expect(COMMAND_NAMES).toEqual(['enroll', 'run', 'status', 'check', 'doctor', 'simulate'])
  })

  it('answers an unknown command with the overview on stderr and exit 2', async () => {
    const io = captureIo()
    expect(await main(['frobnicate'], io)).toBe(2)
    expect(io.stderr).toMatch(/unknown command "frobnicate"/)
  })
})
