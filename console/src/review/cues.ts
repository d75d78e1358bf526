// Cue effectiveness: per rule, how the N minutes after its cues compared with
// the N minutes before (conversion, UV value, GMV per minute, ROI, cart
// rate), with the
// window N chosen here and fetched again from the server.

import { h } from '../dom'
import { int, ratio } from '../format'
import { t } from '../i18n'
import { ARROW, dirOf, pp, type MoneyFormat } from './numbers'
import { windowChoices } from './query'
import type { CueEffect, Window } from './shapes'
import { dataTable, withNote, type Column } from './ui'

/** "before → after" and the change below it, marked up or down (arrow and colour). */
export function shift(w: CueEffect, key: keyof Window, value: (v: number) => string, change: (v: number) => string): Node {
  // No firing had broadcast on both sides: there is nothing to compare.
  if (w.measured <= 0) return h('span', { class: 'muted', text: '–', attrs: { title: t('review.unmeasured') } })
  const d = w.change[key]
  const dir = dirOf(d)
  return h('span', 'shift',
    h('span', { class: 'shift-values', text: `${value(w.before[key])} → ${value(w.after[key])}` }),
    h('span', { class: 'delta', attrs: { 'data-dir': dir }, text: `${ARROW[dir]} ${change(d)}` }))
}

const COLS: Column<CueEffect, MoneyFormat>[] = [
  { label: 'review.cue', head: true, cell: (c) => withNote(c.text || c.rule, c.text ? c.rule : '') },
  { label: 'review.firings', num: true, cell: (c) => withNote(int(c.firings), c.measured < c.firings ? t('review.measured', { n: int(c.measured) }) : '') },
  { label: 'review.ackedCol', num: true, cell: (c) => `${int(c.acked)} / ${int(c.firings)}` },
  { label: 'kpi.conversion', num: true, cell: (c) => shift(c, 'conversion', (v) => ratio(v), (v) => pp(v)) },
  { label: 'kpi.uvValue', num: true, cell: (c, m) => shift(c, 'uv_value', m.full, m.signed) },
  { label: 'review.gmvPerMin', num: true, cell: (c, m) => shift(c, 'gmv_per_min', m.full, m.signed) },
  { label: 'kpi.roi', num: true, cell: (c) => shift(c, 'roi', (v) => v.toFixed(2), (v) => (v > 0 ? '+' : '') + v.toFixed(2)) },
  { label: 'sku.cartRate', num: true, cell: (c) => shift(c, 'cart_rate', (v) => ratio(v), (v) => pp(v)) },
]

export function cueTable(onWindow: (minutes: number) => void) {
  const table = dataTable({ testid: 'review-cue-table', cols: COLS, rowTestid: 'review-cue-row', empty: 'review.noCues' })
  const select = h('select', {
    class: 'input input-small', testid: 'review-window', attrs: { 'aria-label': t('review.window') },
    on: { change: (e) => onWindow(Number((e.target as HTMLSelectElement).value)) },
  })
  const note = h('p', { class: 'muted small' })
  const el = h('section', { class: 'card', testid: 'review-cues', attrs: { 'aria-label': t('review.cues') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('review.cues') }),
      h('label', 'inline-field', h('span', { class: 'muted', text: t('review.window') }), select)),
    note, table.el)

  function render(cues: readonly CueEffect[], minutes: number, m: MoneyFormat): void {
    select.replaceChildren(...windowChoices(minutes).map((n) =>
      h('option', { text: t('review.windowOpt', { n }), attrs: { value: n, selected: n === minutes } })))
    select.value = String(minutes)
    note.textContent = t('review.cueNote', { n: minutes })
    table.render([...cues].sort((a, b) => b.firings - a.firings || a.rule.localeCompare(b.rule)), m)
  }

  /** Disables the selector while a new window loads. */
  function busy(on: boolean): void {
    select.disabled = on
  }

  return { el, render, busy }
}
