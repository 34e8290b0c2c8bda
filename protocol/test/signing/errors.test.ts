import { describe, expect, it } from 'vitest'
import { SIGNING_ERROR_CODES, SIGNING_ERROR_STATUS } from '../../src/signing/index.ts'

describe('refusal catalogue', () => {
  it('gives every code an HTTP status, 4xx unless the server’s own trust is broken', () => {
    for (const code of SIGNING_ERROR_CODES) {
      const status = SIGNING_ERROR_STATUS[code]
      expect(status, code).toBeGreaterThanOrEqual(400)
      expect(status < 500 || code === 'BAD_TRUST', code).toBe(true)
    }
    expect(Object.keys(SIGNING_ERROR_STATUS).sort()).toEqual([...SIGNING_ERROR_CODES].sort())
  })
})
