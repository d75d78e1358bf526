// Results per product, best sellers first.

import { int, ratio } from '../format'
import { t } from '../i18n'
import { stockLabel } from '../views/stock'
import type { MoneyFormat } from './numbers'
import type { SKUResult } from './shapes'
import { card, dataTable, withNote, type Column } from './ui'

/** Products by GMV, then units sold, then SKU. */
export function skuOrder(skus: readonly SKUResult[]): SKUResult[] {
  return [...skus].sort((a, b) => b.gmv - a.gmv || b.units_sold - a.units_sold || a.sku.localeCompare(b.sku))
}

const COLS: Column<SKUResult, MoneyFormat>[] = [
  { label: 'sku.sku', head: true, cell: (r) => withNote(r.sku, r.name) },
  { label: 'funnel.exposures', num: true, cell: (r) => int(r.exposures) },
  { label: 'funnel.clicks', num: true, cell: (r) => int(r.clicks) },
  { label: 'sku.ctr', num: true, cell: (r) => ratio(r.ctr, 1) },
  { label: 'sku.orders', num: true, cell: (r) => int(r.orders) },
  { label: 'sku.carts', num: true, cell: (r) => int(r.cart_adds) },
  { label: 'sku.cartRate', num: true, cell: (r) => ratio(r.cart_rate, 1) },
  { label: 'review.clickToOrder', num: true, cell: (r) => ratio(r.click_to_order, 1) },
  { label: 'sku.sold', num: true, cell: (r) => int(r.units_sold) },
  { label: 'sku.gmv', num: true, cell: (r, m) => m.full(r.gmv) },
  { label: 'review.stockLeft', num: true, cell: (r) => stockLabel(r).text },
]

export function reviewSkuTable() {
  const table = dataTable({ testid: 'review-sku-table', cols: COLS, rowTestid: 'review-sku-row', empty: 'sku.empty' })
  const el = card(t('sku.title'), 'review-skus', table.el)
  return { el, render: (skus: readonly SKUResult[], m: MoneyFormat) => table.render(skuOrder(skus), m) }
}
