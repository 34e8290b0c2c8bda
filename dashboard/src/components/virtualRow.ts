/**
 * One body row of `VirtualTable`, placed at its own offset. A component of its own so that Vue skips it
 * when its props are unchanged: scrolling re-renders only the rows that come into view, not the window.
 * A render function, not a template: the cells come from a function prop rather than a forwarded slot,
 * because a slot passed inside `v-for` is compiled as dynamic and would force every row to re-render.
 * Cells are styled by VirtualTable (`:deep(.vt__cell)`).
 */
import { defineComponent, h, type VNodeChild } from 'vue'
import type { Column } from '../lib/table.js'

export type CellRenderer<T> = (cell: { row: T; column: Column<T>; index: number }) => VNodeChild

export interface VirtualRowProps<T> {
  row: T
  index: number
  rowKey: string
  columns: Column<T>[]
  template: string
  rowHeight: number
  active: boolean
  cell: CellRenderer<T>
  onFocusRow: (index: number) => void
}

export const VirtualRow = defineComponent(
  <T>(props: VirtualRowProps<T>) =>
    () =>
      h(
        'div',
        {
          class: props.index % 2 === 1 ? 'vt__row vt__row--odd' : 'vt__row',
          role: 'row',
          'aria-rowindex': props.index + 2,
          'data-index': props.index,
          'data-key': props.rowKey,
          tabindex: props.active ? 0 : -1,
          style: {
            gridTemplateColumns: props.template,
            height: `${props.rowHeight}px`,
            transform: `translateY(${props.index * props.rowHeight}px)`,
          },
          onFocus: () => props.onFocusRow(props.index),
        },
        props.columns.map((column) =>
          h(
            'div',
            {
              key: column.key,
              class: column.align === 'end' ? 'vt__cell vt__cell--end' : 'vt__cell',
              role: 'cell',
            },
            [props.cell({ row: props.row, column, index: props.index })],
          ),
        ),
      ),
  { props: ['row', 'index', 'rowKey', 'columns', 'template', 'rowHeight', 'active', 'cell', 'onFocusRow'] },
)
