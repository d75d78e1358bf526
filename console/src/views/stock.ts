// How a product's stock reads on every screen: a number while there is
// some, 售罄 (sold out) at zero, 超卖 N (oversold) when units were sold past
// it — never a bare negative number.

import { int } from '../format'
import { t } from '../i18n'

export type StockState = 'ok' | 'low' | 'soldout' | 'oversold'

export interface StockLabel {
  text: string
  state: StockState
}

export function stockLabel(s: { stock: number; oversold?: number } | undefined, low = 3): StockLabel {
  if (!s) return { text: '–', state: 'ok' }
  // An older server sent the remainder signed: read a negative as oversold.
  const over = (s.oversold ?? 0) > 0 ? s.oversold ?? 0 : Math.max(0, -s.stock)
  if (over > 0) return { text: t('sku.oversold', { n: int(over) }), state: 'oversold' }
  if (s.stock <= 0) return { text: t('sku.soldOut'), state: 'soldout' }
  return { text: int(s.stock), state: s.stock <= low ? 'low' : 'ok' }
}

/** Whether a product has nothing left to sell (sold out or oversold). */
export function noStock(s: { stock: number; oversold?: number } | undefined): boolean {
  return !!s && (s.stock <= 0 || (s.oversold ?? 0) > 0)
}
