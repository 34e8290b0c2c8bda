import { describe, expect, it } from 'vitest'
import { parse, UsageError } from '../../src/cli/args.ts'

const OPTIONS = { hub: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' } } as const

describe('CLI arguments', () => {
  it('takes a value that starts with a dash (1 enrollment token in 64 does)', () => {
    expect(parse(['--hub', 'http://h:8080', '--token', '-Xy_3k'], OPTIONS)).toEqual({
      hub: 'http://h:8080',
      token: '-Xy_3k',
    })
    expect(parse(['--token', '--Xy', '--json'], OPTIONS)).toEqual({ token: '--Xy', json: true })
  })

  it('still reads an option after an option that lacks its value as a mistake', () => {
    expect(() => parse(['--token', '--hub', 'http://h'], OPTIONS)).toThrow(UsageError)
    expect(() => parse(['--bogus'], OPTIONS)).toThrow(UsageError)
  })
})
