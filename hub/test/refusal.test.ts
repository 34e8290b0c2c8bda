import { API_ERRORS } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { errorBody, HubError } from '../src/errors.ts'
import { refusal, statusOf, toHubError } from '../src/refusal.ts'

describe('thrown and returned errors share the catalogue', () => {
  it('a refusal and its thrown form carry the same code, status and message', () => {
    for (const code of ['ROLLBACK', 'BAD_SIGNATURE', 'NO_VENDOR_KEYS', 'OVERSIZE'] as const) {
      const r = refusal(code, `because ${code}`)
      const e = toHubError(r)
      expect(e).toBeInstanceOf(HubError)
      expect([e.code, e.statusCode, e.message]).toEqual([code, statusOf(code), `because ${code}`])
      expect(statusOf(code)).toBe(API_ERRORS[code].status)
    }
  })

  it('a hub error without a message says what its code means', () => {
    const e = new HubError('VIGIL_DEVICE_OFFLINE')
    expect([e.statusCode, e.message]).toEqual([409, API_ERRORS.VIGIL_DEVICE_OFFLINE.message])
    expect(errorBody('VIGIL_NOT_FOUND')).toEqual({ error: { code: 'VIGIL_NOT_FOUND', message: 'not found' } })
  })
})
