/** Issue 18.9: the register's columns fit a 1,280 px window; a narrower one scrolls inside the table. */

import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import FindingsTable from '../../src/components/FindingsTable.vue'
import { minRowWidthRem } from '../../src/lib/table.ts'

describe('minRowWidthRem', () => {
  it('adds each track minimum, the gaps and the padding', () => {
    expect(minRowWidthRem([{ width: '7rem' }, { width: 'minmax(9rem, 1fr)' }, { width: '1fr' }])).toBe(
      7 + 9 + 0 + 2 * 0.5 + 2 * 0.75,
    )
  })
})

describe('the register table', () => {
  it('fits a 1,280 px window beside the page padding, the border and a scrollbar (1,280 − 32 − 2 − 15 px)', () => {
    const wrapper = mount(FindingsTable, {
      props: { findings: [], selected: new Set<string>() },
      global: { stubs: { RouterLink: true } },
    })
    const head = wrapper.find('[role="row"]').attributes('style') ?? ''
    const rem = Number(/min-width:\s*([\d.]+)rem/.exec(head)?.[1])
    expect(rem).toBeGreaterThan(40)
    expect(rem * 16).toBeLessThanOrEqual(1280 - 32 - 2 - 15)
  })
})
