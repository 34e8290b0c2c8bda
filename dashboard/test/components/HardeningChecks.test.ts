import type { CheckResult } from '@vigil/protocol'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import HardeningChecks from '../../src/components/HardeningChecks.vue'

const r = (id: string, status: CheckResult['status']): CheckResult => ({
  id,
  title: id,
  severity: 'high',
  status,
  evidence: status === 'not_applicable' ? '/etc/ssh/sshd_config does not exist (not installed)' : 'e',
})

describe('HardeningChecks', () => {
  it('tells failures, checks that could not run and checks that do not apply apart', () => {
    const w = mount(HardeningChecks, {
      props: {
        results: [
          r('ssh-root-login', 'not_applicable'),
          r('shadow-perms', 'error'),
          r('telnet', 'fail'),
          r('ok', 'pass'),
        ],
        ts: '2026-12-01T00:00:00.000Z',
        baseline: { id: 'vigil-default', version: 1 },
      },
    })
    expect(w.text()).toContain('1 failing, 1 passing, 1 could not run, 1 not applicable')
    const rows = w
      .findAll('tbody tr')
      .map((row) => [row.attributes('data-status'), row.find('.status').text()])
    expect(rows).toEqual([
      ['fail', '✕ Fail'],
      ['error', '! Error'],
      ['pass', '✓ Pass'],
      ['not_applicable', '– Not applicable'],
    ])
  })
})
