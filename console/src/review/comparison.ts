// This show beside an earlier one: both headlines and the change, coloured
// by whether it went the good way, or why the comparison is missing.

import { h, replace } from '../dom'
import { changePct } from '../format'
import { t } from '../i18n'
import { headlineDeltas } from './deltas'
import { formatChange, formatValue } from './metrics'
import { ARROW, currencyOf, moneyIn } from './numbers'
import type { Comparison, Review } from './shapes'

const showName = (r: Review): string => (r.title ? `${r.title} (${r.room})` : r.room)

export function comparisonCard() {
  const body = h('div', { testid: 'review-compare-body' })
  const el = h('section', { class: 'card', testid: 'review-compare', attrs: { 'aria-label': t('review.compare') } },
    h('h3', { class: 'card-title', text: t('review.compare') }), body)
  el.hidden = true
  let last: Comparison | null = null

  function render(c: Comparison): void {
    last = c
    const now = moneyIn(currencyOf(c.review.currency))
    const then = moneyIn(currencyOf(c.earlier.currency))
    const rows = headlineDeltas(c.review.headline, c.earlier.headline, c.change)
    const head = h('tr', {},
      h('th', { text: t('review.metric'), attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: showName(c.review), attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: showName(c.earlier), attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: t('review.change'), attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: '%', attrs: { scope: 'col' } }))
    const tr = rows.map((d) => h('tr', { testid: `review-compare-${d.metric.id}`, attrs: { 'data-tone': d.tone } },
      h('th', { text: t(d.metric.label), attrs: { scope: 'row' } }),
      h('td', { class: 'num', text: formatValue(d.metric.kind, d.now, now) }),
      h('td', { class: 'num', text: formatValue(d.metric.kind, d.earlier, then) }),
      h('td', { class: 'num delta', attrs: { 'data-dir': d.dir, 'data-tone': d.tone }, text: `${ARROW[d.dir]} ${formatChange(d.metric.kind, d.change, now)}` }),
      h('td', { class: 'num muted', text: changePct(d.pct) })))
    replace(body, h('div', 'table-wrap', h('table', { class: 'table', testid: 'review-compare-table' }, h('thead', {}, head), h('tbody', {}, ...tr))))
    el.hidden = false
  }

  /** The comparison could not be loaded: the review shows alone with this note. */
  function failed(earlier: string, message: string): void {
    last = null
    replace(body, h('p', { class: 'error', testid: 'review-compare-error', text: t('review.compareFailed', { room: earlier, message }) }))
    el.hidden = false
  }

  /** The review changed (the broadcast was just ended): compare it with the same earlier show. */
  function update(review: Review): void {
    if (last) render({ review, earlier: last.earlier })
  }

  function clear(): void {
    last = null
    el.hidden = true
    body.replaceChildren()
  }

  return { el, render, failed, update, clear }
}
