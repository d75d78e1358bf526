// Results per pricing tier: how long each was in effect, what it sold, the
// ad spend reported meanwhile and its ROI, and the cart rate.

import { int, ratio } from '../format'
import { t } from '../i18n'
import { duration, type MoneyFormat } from './numbers'
import type { TierResult } from './shapes'
import { card, dataTable, withNote, type Column } from './ui'

const COLS: Column<TierResult, MoneyFormat>[] = [
  { label: 'review.tier', head: true, cell: (r) => withNote(r.coupon || r.tier || t('host.noTier'), r.coupon ? r.tier : '') },
  { label: 'review.inEffect', num: true, cell: (r) => duration(r.seconds) },
  { label: 'kpi.orders', num: true, cell: (r) => int(r.orders) },
  { label: 'kpi.gmv', num: true, cell: (r, m) => m.full(r.gmv) },
  { label: 'review.buyers', num: true, cell: (r) => int(r.buyers) },
  { label: 'review.visitors', num: true, cell: (r) => int(r.visitors) },
  { label: 'kpi.conversion', num: true, cell: (r) => ratio(r.conversion) },
  { label: 'review.gmvPerMin', num: true, cell: (r, m) => m.full(r.gmv_per_min) },
  { label: 'kpi.spend', num: true, cell: (r, m) => m.full(r.spend) },
  { label: 'kpi.roi', num: true, cell: (r) => (r.spend > 0 ? r.roi.toFixed(2) : '–') },
  { label: 'sku.cartRate', num: true, cell: (r) => ratio(r.cart_rate, 1) },
]

export function tierTable() {
  const table = dataTable({ testid: 'review-tier-table', cols: COLS, rowTestid: 'review-tier-row', empty: 'review.noTiers' })
  const el = card(t('review.tiers'), 'review-tiers', table.el)
  return { el, render: (tiers: readonly TierResult[], m: MoneyFormat) => table.render(tiers, m) }
}
