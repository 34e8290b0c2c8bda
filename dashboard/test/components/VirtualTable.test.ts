import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { h } from 'vue'
import VirtualTable from '../../src/components/VirtualTable.vue'
import type { Column } from '../../src/lib/table.ts'

interface Row {
  id: string
  n: number
}
const rows: Row[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `r${i}`, n: i }))
const columns: Column<Row>[] = [
  { key: 'id', label: 'Id', width: '1fr', sortable: true },
  { key: 'n', label: 'Number', width: '6rem', align: 'end' },
]

function table(props: Record<string, unknown> = {}) {
  return mount(VirtualTable<Row>, {
    props: {
      rows,
      columns,
      rowKey: (r: Row) => r.id,
      label: 'Rows',
      rowHeight: 30,
      fallbackHeight: 600,
      ...props,
    },
    attachTo: document.body,
  })
}

const bodyRows = (w: ReturnType<typeof table>) => w.findAll('[role="row"][data-index]')

describe('VirtualTable', () => {
  it('renders only a window of rows for 10,000 items, while announcing all of them', () => {
    const w = table()
    const rendered = bodyRows(w)
    // 600 px / 30 px = 20 visible + 1 + 6 overscan below.
    expect(rendered.length).toBeGreaterThanOrEqual(20)
    expect(rendered.length).toBeLessThan(40)
    expect(rendered[0]?.attributes('data-index')).toBe('0')
    expect(w.get('[role="table"]').attributes('aria-rowcount')).toBe('10001')
    expect(w.get('.vt__spacer').attributes('style')).toContain('height: 300000px')
    w.unmount()
  })

  it('moves the window when scrolled', async () => {
    const w = table()
    const viewport = w.get('.vt__viewport')
    ;(viewport.element as HTMLElement).scrollTop = 150_000
    await viewport.trigger('scroll')
    await new Promise((r) => setTimeout(r, 50))
    const indices = bodyRows(w).map((r) => Number(r.attributes('data-index')))
    expect(Math.min(...indices)).toBe(5000 - 6)
    expect(indices).toContain(5000)
    expect(indices.length).toBeLessThan(40)
    expect(w.text()).toContain('r5000')
    expect(w.text()).not.toContain('r0 ')
    w.unmount()
  })

  it('scrolling re-renders only the rows that come into view and keeps the other row elements', async () => {
    const rendered: number[] = []
    const w = mount(VirtualTable<Row>, {
      props: { rows, columns, rowKey: (r: Row) => r.id, label: 'Rows', rowHeight: 30, fallbackHeight: 600 },
      slots: {
        cell: ({ row, index }: { row: Row; index: number }) => {
          rendered.push(index)
          return h('span', row.id)
        },
      },
      attachTo: document.body,
    })
    const before = new Map(bodyRows(w).map((r) => [r.attributes('data-index'), r.element]))
    rendered.length = 0
    const viewport = w.get('.vt__viewport')
    ;(viewport.element as HTMLElement).scrollTop = 150 // 5 rows
    await viewport.trigger('scroll')
    await new Promise((r) => setTimeout(r, 50))
    // 5 new rows × 2 columns; rows still in view are neither re-rendered nor re-created.
    expect(new Set(rendered).size).toBe(5)
    expect(Math.min(...rendered)).toBeGreaterThanOrEqual(before.size)
    expect(w.get('[data-index="10"]').element).toBe(before.get('10'))
    expect(w.get('[data-index="10"]').attributes('style')).toContain('translateY(300px)')
    // The DOM keeps the rows in order, so assistive technology reads them in order.
    const order = bodyRows(w).map((r) => Number(r.attributes('data-index')))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    w.unmount()
  })

  it('moves focus with the keyboard and activates with Enter', async () => {
    const w = table()
    const viewport = w.get('.vt__viewport')
    await viewport.trigger('keydown', { key: 'ArrowDown' })
    await viewport.trigger('keydown', { key: 'ArrowDown' })
    await viewport.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('activate')?.[0]?.[0]).toEqual({ id: 'r2', n: 2 })
    await viewport.trigger('keydown', { key: 'End' })
    await new Promise((r) => setTimeout(r, 50))
    expect(bodyRows(w).some((r) => r.attributes('data-index') === '9999')).toBe(true)
    expect(w.get('[data-index="9999"]').attributes('tabindex')).toBe('0')
    w.unmount()
  })

  it('acts on the row a recycled, focused row element shows after a scroll', async () => {
    const w = table()
    const first = w.get('[data-index="0"]')
    ;(first.element as HTMLElement).focus()
    const viewport = w.get('.vt__viewport')
    ;(viewport.element as HTMLElement).scrollTop = 30 * 40 // the pool wraps: element 0 now shows a later row
    await viewport.trigger('scroll')
    await new Promise((r) => setTimeout(r, 50))
    const shown = Number(first.attributes('data-index'))
    expect(shown).toBeGreaterThan(0)
    await first.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('activate')?.[0]?.[0]).toEqual({ id: `r${shown}`, n: shown })
    w.unmount()
  })

  it('marks the sorted column with aria-sort and asks to sort on click', async () => {
    const w = table({ sortKey: 'id', sortDir: 'desc' })
    const header = w.get('[role="columnheader"]')
    expect(header.attributes('aria-sort')).toBe('descending')
    await header.get('button').trigger('click')
    expect(w.emitted('sort')?.[0]).toEqual(['id'])
    w.unmount()
  })
})
