// KPI cards: GMV, online, UV, conversion, UV value, AOV, paid orders, ROI
// (GMV ÷ ad spend) and ad spend, each
// with a change arrow over the last minute. A card whose number is not
// current gets data-stale="1" and says since when.

import { h, setText } from '../dom'
import { changePct, intFit, moneyFit, ratio } from '../format'
import { lang, t, type MsgKey } from '../i18n'
import type { Snapshot } from '../protocol'
import { direction, type Trend } from '../state/trend'
import { staleText } from './sources'

interface CardDef {
  id: string // data-testid kpi-<id>
  label: MsgKey
  /** The card's value: text that fits the card, and the exact value (its title) when abbreviated. */
  value: (m: Snapshot) => string | { text: string; full: string }
  /** Change in percent: from the snapshot when the server computes it, else from the trend. */
  change: (m: Snapshot, tr: Trend | undefined) => number | null
  sub?: (m: Snapshot) => string
}

const fromTrend = (key: keyof Snapshot) => (m: Snapshot, tr: Trend | undefined) =>
  tr ? tr.changePct(key, m[key] as number) : null

const CARDS: CardDef[] = [
  { id: 'gmv', label: 'kpi.gmv', value: (m) => moneyFit(m.gmv, lang()), change: (m) => m.gmv_change_pct,
    sub: (m) => t('kpi.gmvPerMin', { v: moneyFit(m.gmv_per_min, lang()).text }) },
  { id: 'online', label: 'kpi.online', value: (m) => intFit(m.online, lang()), change: (m) => m.online_change_pct,
    sub: (m) => t('kpi.peak', { v: intFit(m.peak_online, lang()).text }) },
  { id: 'uv', label: 'kpi.uv', value: (m) => intFit(m.uv, lang()), change: fromTrend('uv') },
  { id: 'conversion', label: 'kpi.conversion', value: (m) => ratio(m.conversion), change: fromTrend('conversion'),
    sub: (m) => t('kpi.buyers', { v: intFit(m.buyers, lang()).text }) },
  { id: 'uv-value', label: 'kpi.uvValue', value: (m) => moneyFit(m.uv_value, lang()), change: fromTrend('uv_value') },
  { id: 'aov', label: 'kpi.aov', value: (m) => moneyFit(m.aov, lang()), change: fromTrend('aov') },
  { id: 'orders', label: 'kpi.orders', value: (m) => intFit(m.orders_paid, lang()), change: fromTrend('orders_paid'),
    sub: (m) => t('kpi.created', { v: intFit(m.orders_created, lang()).text }) },
  { id: 'roi', label: 'kpi.roi', value: (m) => (m.spend > 0 ? m.roi.toFixed(2) : '–'), change: (m, tr) => (m.spend > 0 ? fromTrend('roi')(m, tr) : null),
    sub: (m) => t('kpi.costPerBuyer', { v: moneyFit(m.cost_per_buyer, lang()).text }) },
  { id: 'spend', label: 'kpi.spend', value: (m) => moneyFit(m.spend, lang()), change: fromTrend('spend_per_min'),
    sub: (m) => t('kpi.gmvPerMin', { v: moneyFit(m.spend_per_min, lang()).text }) },
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
        p.value.title = ''
        continue
      }
      const v = p.c.value(m)
      const text = typeof v === 'string' ? v : v.text
      setText(p.value, text)
      // The exact value on hover, always (the card may abbreviate it).
      p.value.title = typeof v === 'string' ? v : v.full
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
