import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { API_ERRORS, ApiError, isApiErrorCode } from '../../src/index.ts'
import { SIGNING_ERROR_CODES, SIGNING_ERROR_STATUS } from '../../src/signing/index.ts'

describe('the error catalogue', () => {
  const entries = Object.entries(API_ERRORS)

  it('gives every code an error status and a meaning', () => {
    expect(entries.length).toBeGreaterThan(40)
    for (const [code, e] of entries) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/)
      expect(e.status, code).toBeGreaterThanOrEqual(400)
      expect(e.status, code).toBeLessThan(600)
      expect(e.message.length, code).toBeGreaterThan(5)
    }
  })

  it('holds every signing refusal with the status signing gives it', () => {
    for (const code of SIGNING_ERROR_CODES) expect(API_ERRORS[code].status).toBe(SIGNING_ERROR_STATUS[code])
    expect(isApiErrorCode('BAD_SIGNATURE')).toBe(true)
    expect(isApiErrorCode('VIGIL_NOT_FOUND')).toBe(true)
    expect(isApiErrorCode('NOPE')).toBe(false)
    expect(isApiErrorCode('toString')).toBe(false)
  })

  it('is the table of docs/api-errors.md, row for row', () => {
    const doc = readFileSync(new URL('../../../docs/api-errors.md', import.meta.url), 'utf8')
    const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` +\| (\d{3}) +\| (.+?) +\|$/gm)].map((m) => [
      m[1],
      Number(m[2]),
      m[3],
    ])
    expect(rows).toEqual(entries.map(([code, e]) => [code, e.status, e.message]))
  })

  it('answers in the one error shape', () => {
    expect(Object.keys(ApiError.properties)).toEqual(['error'])
  })
})
