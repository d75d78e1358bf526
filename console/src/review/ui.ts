// The review page's building blocks: a titled card and a data table whose
// columns say how to write each cell. Cells take text or nodes built by
// dom.ts, so text from the server is never parsed as HTML.

import { h, replace } from '../dom'
import { t, type MsgKey } from '../i18n'

type Kid = Node | null | undefined | false

export function card(title: string, testid: string, ...kids: Kid[]): HTMLElement {
  return h('section', { class: 'card', testid, attrs: { 'aria-label': title } },
    h('h3', { class: 'card-title', text: title }), ...kids)
}

export interface Column<T, C> {
  label: MsgKey
  /** Right-aligned tabular figures. */
  num?: boolean
  /** The row's header cell (scope="row"). */
  head?: boolean
  /** The cell of row; ctx is what render was given along with the rows (the money format). */
  cell: (row: T, ctx: C) => string | Node
}

export interface TableOptions<T, C> {
  testid: string
  cols: readonly Column<T, C>[]
  rowTestid: string
  empty: MsgKey
}

/** A table that re-renders all its rows from a list: review data changes only on reload. */
export function dataTable<T, C>(o: TableOptions<T, C>) {
  const body = h('tbody')
  const empty = h('p', { class: 'empty', text: t(o.empty) })
  const el = h('div', 'table-wrap',
    h('table', { class: 'table', testid: o.testid },
      h('thead', {}, h('tr', {}, ...o.cols.map((c) => h('th', { class: c.num ? 'num' : '', text: t(c.label), attrs: { scope: 'col' } })))),
      body),
    empty)

  function render(rows: readonly T[], ctx: C): void {
    empty.hidden = rows.length > 0
    replace(body, ...rows.map((r) => h('tr', { testid: o.rowTestid },
      ...o.cols.map((c) => {
        const v = c.cell(r, ctx)
        const kid = typeof v === 'string' ? document.createTextNode(v) : v
        return c.head ? h('th', { attrs: { scope: 'row' } }, kid) : h('td', c.num ? 'num' : '', kid)
      }))))
  }

  return { el, render }
}

/** Text with a muted second part: "满199减20 · T2". */
export function withNote(main: string, note: string | undefined): Node {
  return note ? h('span', {}, main, ' ', h('span', { class: 'muted', text: note })) : document.createTextNode(main)
}
