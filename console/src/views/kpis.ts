// KPI cards: GMV, online, UV, conversion, UV value, AOV, paid orders, ROI
// (GMV ÷ ad spend) and ad spend, each
// with a change arrow over the last minute. A card whose number is not
// current gets data-stale="1" and says since when.

import { h, setText } from '../dom'
import { changePct, int, money, ratio } from '../format'
import { t, type MsgKey } from '../i18n'
import type { Snapshot } from '../protocol'
import { direction, type Trend } from '../state/trend'
import { staleText } from './sources'

interface CardDef {
  id: string // data-testid kpi-<id>
  label: MsgKey
  value: (m: Snapshot) => string
  /** Change in percent: from the snapshot when the server computes it, else from the trend. */
  change: (m: Snapshot, tr: Trend | undefined) => number | null
  sub?: (m: Snapshot) => string
}

const fromTrend = (key: keyof Snapshot) => (m: Snapshot, tr: Trend | undefined) =>
  tr ? tr.changePct(key, m[key] as number) : null

const CARDS: CardDef[] = [
  { id: 'gmv', label: 'kpi.gmv', value: (m) => money(m.gmv), change: (m) => m.gmv_change_pct,
    sub: (m) => t('kpi.gmvPerMin', { v: money(m.gmv_per_min) }) },
  { id: 'online', label: 'kpi.online', value: (m) => int(m.online), change: (m) => m.online_change_pct,
    sub: (m) => t('kpi.peak', { v: int(m.peak_online) }) },
  { id: 'uv', label: 'kpi.uv', value: (m) => int(m.uv), change: fromTrend('uv') },
  { id: 'conversion', label: 'kpi.conversion', value: (m) => ratio(m.conversion), change: fromTrend('conversion'),
    sub: (m) => t('kpi.buyers', { v: int(m.buyers) }) },
  { id: 'uv-value', label: 'kpi.uvValue', value: (m) => money(m.uv_value), change: fromTrend('uv_value') },
  { id: 'aov', label: 'kpi.aov', value: (m) => money(m.aov), change: fromTrend('aov') },
  { id: 'orders', label: 'kpi.orders', value: (m) => int(m.orders_paid), change: fromTrend('orders_paid'),
    sub: (m) => t('kpi.created', { v: int(m.orders_created) }) },
  { id: 'roi', label: 'kpi.roi', value: (m) => (m.spend > 0 ? m.roi.toFixed(2) : '–'), change: (m, tr) => (m.spend > 0 ? fromTrend('roi')(m, tr) : null),
    sub: (m) => t('kpi.costPerBuyer', { v: money(m.cost_per_buyer) }) },
  { id: 'spend', label: 'kpi.spend', value: (m) => money(m.spend), change: fromTrend('spend_per_min'),
    sub: (m) => t('kpi.gmvPerMin', { v: money(m.spend_per_min) }) },
]

/** The cards' ids, in order (data-testid kpi-<id>). */
export const KPI_IDS: readonly string[] = CARDS.map((c) => c.id)

const ARROWS = { up: '▲', down: '▼', flat: '▬', none: '' }

export function kpiCards() {
  const parts = CARDS.map((c) => {
    const value = h('div', { class: 'kpi-value', testid: `kpi-${c.id}-value`, text: '–' })
    const arrow = h('span', { class: 'kpi-arrow', testid: `kpi-${c.id}-change` })
    const sub = h('div', { class: 'kpi-sub' })
    const stale = h('div', { class: 'kpi-stale', testid: `kpi-${c.id}-stale` })
    stale.hidden = true
    const el = h('section', { class: 'card kpi', testid: `kpi-${c.id}`, attrs: { 'aria-label': t(c.label) } },
      h('div', { class: 'kpi-label', text: t(c.label) }), value, h('div', 'kpi-foot', arrow, sub), stale)
    return { c, el, value, arrow, sub, stale }
  })
  const el = h('div', { class: 'kpis', testid: 'kpis' }, ...parts.map((p) => p.el))

  function render(m: Snapshot | null, tr: Trend | undefined): void {
    for (const p of parts) {
      if (!m) {
        setText(p.value, '–')
        continue
      }
      setText(p.value, p.c.value(m))
      const pct = p.c.change(m, tr)
      const dir = direction(pct)
      p.arrow.dataset.dir = dir
      p.arrow.title = t('kpi.vsMinute')
      setText(p.arrow, dir === 'none' ? '' : `${ARROWS[dir]} ${changePct(pct)}`)
      setText(p.sub, p.c.sub ? p.c.sub(m) : '')
    }
  }

  /** Marks the cards in stale (id → since, client ms) and clears the others; hint explains why. */
  function mark(stale: ReadonlyMap<string, number | null>, hint: (id: string) => string): void {
    for (const p of parts) {
      const on = stale.has(p.c.id)
      p.el.dataset.stale = on ? '1' : '0'
      p.stale.hidden = !on
      setText(p.stale, on ? staleText(stale.get(p.c.id) ?? null) : '')
      p.stale.title = on ? hint(p.c.id) : ''
    }
  }

  return { el, render, mark }
}
