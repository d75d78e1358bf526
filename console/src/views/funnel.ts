// The funnel exposure → click → cart → order → paid, with each step's rate.

import { h, setText } from '../dom'
import { int, ratio } from '../format'
import { t, type MsgKey } from '../i18n'
import type { Funnel } from '../protocol'

const STEPS: { key: keyof Funnel; label: MsgKey }[] = [
  { key: 'exposures', label: 'funnel.exposures' },
  { key: 'clicks', label: 'funnel.clicks' },
  { key: 'carts', label: 'funnel.carts' },
  { key: 'orders', label: 'funnel.orders' },
  { key: 'paid', label: 'funnel.paid' },
]

/** Bar widths (0..1 of the first step) and step rates (vs. the previous step). */
export function funnelRows(f: Funnel): { key: keyof Funnel; value: number; width: number; rate: number | null }[] {
  const top = f.exposures || Math.max(f.clicks, f.carts ?? 0, f.orders, f.paid, 0)
  return STEPS.map((s, i) => {
    const value = f[s.key] ?? 0
    const prev = i === 0 ? 0 : f[STEPS[i - 1].key] ?? 0
    return {
      key: s.key,
      value,
      width: top > 0 ? Math.min(1, value / top) : 0,
      rate: i === 0 ? null : prev > 0 ? value / prev : null,
    }
  })
}

export function funnel() {
  const rows = STEPS.map((s) => {
    const bar = h('div', { class: 'funnel-bar' })
    const value = h('span', { class: 'funnel-value', testid: `funnel-${s.key}` })
    const rate = h('span', { class: 'funnel-rate' })
    const el = h('div', 'funnel-row', h('span', { class: 'funnel-label', text: t(s.label) }), h('div', 'funnel-track', bar), value, rate)
    return { bar, value, rate, el }
  })
  const el = h('section', { class: 'card', testid: 'funnel', attrs: { 'aria-label': t('funnel.title') } },
    h('h3', { class: 'card-title', text: t('funnel.title') }), ...rows.map((r) => r.el))

  function render(f: Funnel | undefined): void {
    if (!f) return
    funnelRows(f).forEach((r, i) => {
      rows[i].bar.style.width = `${(r.width * 100).toFixed(1)}%`
      setText(rows[i].value, int(r.value))
      setText(rows[i].rate, r.rate === null ? '' : `→ ${ratio(r.rate, 1)}`)
    })
  }

  return { el, render }
}
