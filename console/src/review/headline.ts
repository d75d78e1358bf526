// Headline cards: the numbers a team reports after a show, each with a line
// of context (buyers, order outcomes, watch time, the show's start and end).

import { h } from '../dom'
import { clock, int } from '../format'
import { t } from '../i18n'
import { HEADLINE_METRICS, formatValue } from './metrics'
import { duration, type MoneyFormat } from './numbers'
import type { Review } from './shapes'

/** The second line of each card, by metric id. */
export function cardNote(id: string, r: Review, m: MoneyFormat): string {
  const x = r.headline
  switch (id) {
    case 'gmv':
      return t('review.gmvNote', { v: m.full(x.duration_seconds > 0 ? (x.gmv * 60) / x.duration_seconds : 0) })
    case 'orders':
      return t('review.ordersNote', { created: int(x.orders_created), cancelled: int(x.orders_cancelled), refunded: int(x.orders_refunded) })
    case 'uv':
    case 'conversion':
      return t('kpi.buyers', { v: int(x.buyers) })
    case 'peak-online':
      return t('review.avgWatch', { v: duration(x.avg_watch_seconds) })
    case 'duration':
      return r.from && r.to ? `${clock(r.from)} – ${clock(r.to)}` : ''
    case 'spend':
      return t('kpi.costPerBuyer', { v: m.full(x.cost_per_buyer) })
    case 'cart-rate':
      return t('review.cartAddsNote', { v: int(x.cart_adds) })
    case 'comments':
      return t('review.socialNote', { likes: int(x.likes), follows: int(x.follows), shares: int(x.shares) })
    default:
      return ''
  }
}

export function headlineCards() {
  const parts = HEADLINE_METRICS.map((metric) => {
    const value = h('div', { class: 'kpi-value', testid: `review-kpi-${metric.id}-value`, text: '–' })
    const note = h('div', { class: 'kpi-sub' })
    const el = h('section', { class: 'card kpi', testid: `review-kpi-${metric.id}`, attrs: { 'aria-label': t(metric.label) } },
      h('div', { class: 'kpi-label', text: t(metric.label) }), value, h('div', 'kpi-foot', note))
    return { metric, value, note, el }
  })
  const el = h('div', { class: 'kpis', testid: 'review-headline' }, ...parts.map((p) => p.el))

  function render(r: Review, m: MoneyFormat): void {
    for (const p of parts) {
      const v = formatValue(p.metric.kind, r.headline[p.metric.key], m)
      p.value.textContent = v
      p.value.title = v // the whole number where a narrow card cuts it short
      p.note.textContent = cardNote(p.metric.id, r, m)
    }
  }

  return { el, render }
}
