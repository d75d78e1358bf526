// Per-SKU table: the product's name by its SKU, price tier (or the regular
// price when no tier applies), stock, units sold, CTR, cart adds and cart
// rate, orders, GMV; best sellers first. Low stock is flagged; a sold-out
// or oversold product is marked as such, never shown as a negative number.

import { h, setText, syncList } from '../dom'
import { int, money, ratio } from '../format'
import { t } from '../i18n'
import type { SKUStats, Tier } from '../protocol'
import { stockLabel } from './stock'

export const LOW_STOCK = 3

export interface SkuRow extends SKUStats {
  sku: string
  tier: string
}

/** Rows sorted by GMV, then units sold, then SKU; the tier shown where it applies, else "" (the regular price). */
export function skuRows(skus: Record<string, SKUStats> | undefined, tier: Tier | null): SkuRow[] {
  return Object.entries(skus ?? {})
    .map(([sku, s]) => ({ ...s, sku, tier: tier && (!tier.sku || tier.sku === sku) ? tier.coupon || tier.name : '' }))
    .sort((a, b) => b.gmv - a.gmv || b.units_sold - a.units_sold || a.sku.localeCompare(b.sku))
}

const COLS = ['sku.product', 'sku.tier', 'sku.stock', 'sku.sold', 'sku.ctr', 'sku.carts', 'sku.cartRate', 'sku.orders', 'sku.gmv'] as const

export function skuTable() {
  const body = h('tbody')
  // The room's product names by SKU (GET /rooms/:room), once known.
  let names: ReadonlyMap<string, string> = new Map()
  let last: { skus: Record<string, SKUStats> | undefined; tier: Tier | null } = { skus: undefined, tier: null }
  const empty = h('p', { class: 'empty', text: t('sku.empty') })
  const table = h('table', 'table',
    h('thead', {}, h('tr', {}, ...COLS.map((c) => h('th', { text: t(c), attrs: { scope: 'col' } })))), body)
  const el = h('section', { class: 'card', testid: 'sku-table', attrs: { 'aria-label': t('sku.title') } },
    h('h3', { class: 'card-title', text: t('sku.title') }), h('div', 'table-wrap', table), empty)

  function cells(tr: HTMLElement): HTMLElement[] {
    return Array.from(tr.children) as HTMLElement[]
  }

  function fill(tr: HTMLElement, r: SkuRow): void {
    const c = cells(tr)
    const name = names.get(r.sku) ?? ''
    setText(c[0].firstChild as HTMLElement, name || r.sku)
    setText(c[0].lastChild as HTMLElement, name ? r.sku : '')
    c[0].title = name ? `${name} · ${r.sku}` : r.sku
    setText(c[1], r.tier || t('sku.regular'))
    c[1].classList.toggle('muted', !r.tier)
    const stock = stockLabel(r, LOW_STOCK)
    setText(c[2], stock.text)
    tr.dataset.stock = stock.state
    setText(c[3], int(r.units_sold))
    setText(c[4], ratio(r.ctr, 1))
    setText(c[5], int(r.cart_adds ?? 0))
    setText(c[6], ratio(r.cart_rate ?? 0, 1))
    setText(c[7], int(r.orders))
    setText(c[8], money(r.gmv))
    tr.classList.toggle('low-stock', stock.state !== 'ok')
    tr.classList.toggle('oversold', stock.state === 'oversold')
  }

  function render(skus: Record<string, SKUStats> | undefined, tier: Tier | null): void {
    last = { skus, tier }
    const rows = skuRows(skus, tier)
    empty.hidden = rows.length > 0
    syncList(body, rows, (r) => r.sku, (r) => {
      const tr = h('tr', { testid: `sku-row-${r.sku}` },
        h('th', { class: 'sku-cell', attrs: { scope: 'row' } }, h('span', { class: 'sku-name', testid: `sku-name-${r.sku}` }), h('span', 'sku-id')),
        h('td', { testid: `sku-tier-${r.sku}` }), h('td', { class: 'num', testid: `sku-stock-${r.sku}` }), h('td', 'num'), h('td', 'num'),
        h('td', { class: 'num', testid: `sku-carts-${r.sku}` }), h('td', { class: 'num', testid: `sku-cart-rate-${r.sku}` }), h('td', 'num'), h('td', 'num'))
      fill(tr, r)
      return tr
    }, fill)
  }

  /** Sets the products' names by SKU and redraws with them. */
  function setNames(n: ReadonlyMap<string, string>): void {
    names = n
    render(last.skus, last.tier) // fills every row again, kept ones too
  }

  return { el, render, setNames }
}
