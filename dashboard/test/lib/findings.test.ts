import { describe, expect, it } from 'vitest'
import { dueText, emptyBulkForm, transitionFrom } from '../../src/lib/findings.ts'
import { formatDateTime } from '../../src/lib/format.ts'

const form = (extra: Partial<ReturnType<typeof emptyBulkForm>>) => ({
  ...emptyBulkForm(),
  why: 'ticket 42',
  ...extra,
})

describe('transitionFrom', () => {
  it('always asks why', () => {
    expect(transitionFrom({ ...emptyBulkForm(), action: 'in_progress' })).toMatchObject({ ok: false })
  })

  it('builds each decision with the fields the hub requires, and names what is missing', () => {
    expect(transitionFrom(form({ action: 'assign', owner: ' alice ' }))).toEqual({
      ok: true,
      value: { owner: 'alice', why: 'ticket 42' },
    })
    expect(transitionFrom(form({ action: 'assign' }))).toEqual({ ok: false, message: 'Name the owner.' })
    expect(transitionFrom(form({ action: 'mitigated', control: 'port 443 closed at the firewall' }))).toEqual(
      {
        ok: true,
        value: { state: 'mitigated', why: 'ticket 42', control: 'port 443 closed at the firewall' },
      },
    )
    expect(transitionFrom(form({ action: 'false_positive' }))).toMatchObject({ ok: false })
    const accepted = transitionFrom(
      form({
        action: 'accepted',
        justification: 'vendor patch due',
        approver: 'ciso',
        expires: '2030-01-31',
      }),
    )
    expect(accepted).toEqual({
      ok: true,
      value: {
        state: 'accepted',
        why: 'ticket 42',
        justification: 'vendor patch due',
        approver: 'ciso',
        expiresAt: '2030-01-31T23:59:59.000Z',
      },
    })
    expect(transitionFrom(form({ action: 'accepted', justification: 'x', approver: 'y' }))).toEqual({
      ok: false,
      message: 'Set when the acceptance expires.',
    })
  })
})

describe('dueText', () => {
  const base = { state: 'open' as const, dueDate: '2026-09-15T00:00:00.000Z', overdue: true, decision: null }
  it('an open finding is due at its remediation date, overdue said in words', () => {
    expect(dueText(base)).toBe(`Overdue · ${formatDateTime(base.dueDate).split(',')[0]}`)
  })
  it('an accepted risk is due when its acceptance expires, not at the old remediation date', () => {
    const expiresAt = '2027-03-01T00:00:00.000Z'
    const accepted = {
      ...base,
      state: 'accepted' as const,
      overdue: false,
      decision: { by: 'olga', at: '2026-12-01T00:00:00.000Z', why: 'isolated VLAN', expiresAt },
    }
    expect(dueText(accepted)).toBe(`Accepted until ${formatDateTime(expiresAt).split(',')[0]}`)
  })
})
