// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { giftPanel, heldPlaces } from './gifts'
import { skuTable } from './skus'
import { noStock, stockLabel } from './stock'

describe('stock labels', () => {
  it('never shows a negative number', () => {
    expect(stockLabel({ stock: 238 })).toEqual({ text: '238', state: 'ok' })
    expect(stockLabel({ stock: 3 })).toEqual({ text: '3', state: 'low' })
    expect(stockLabel({ stock: 0 }).state).toBe('soldout')
    const over = stockLabel({ stock: 0, oversold: 43 })
    expect(over.state).toBe('oversold')
    expect(over.text).toMatch(/43/)
    expect(over.text).not.toMatch(/-/)
    // an older server's signed remainder reads as oversold too
    expect(stockLabel({ stock: -268 })).toMatchObject({ state: 'oversold' })
    expect(stockLabel({ stock: -268 }).text).toMatch(/268/)
    expect(noStock({ stock: 0, oversold: 2 })).toBe(true)
    expect(noStock({ stock: 5 })).toBe(false)
  })

  it('marks an oversold row in the product table', () => {
    const table = skuTable()
    table.render({ lip: { exposures: 1, clicks: 1, ctr: 1, orders: 1, click_to_order: 1, units_sold: 50, gmv: 1, stock: 0, oversold: 7, cart_adds: 0, cart_rate: 0 } }, null)
    const cell = table.el.querySelector('[data-testid="sku-stock-lip"]')!
    expect(cell.textContent).toMatch(/7/)
    expect(cell.textContent).not.toMatch(/-/)
    expect(table.el.querySelector('tr.oversold')).not.toBeNull()
  })
})

describe('gift panel', () => {
  it('marks a revoked winner and counts held places', () => {
    const p = giftPanel()
    const gifts = [
      { quota: 'q', order_id: 'o1', n: 1, status: 'revoked' as const, refunded_at: 1 },
      { quota: 'q', order_id: 'o3', n: 1, replaces: 'o1' },
      { quota: 'q', order_id: 'o2', n: 2 },
    ]
    p.render(gifts)
    const items = p.el.querySelectorAll('[data-testid="gift-item"]')
    expect(items.length).toBe(3)
    expect((items[0] as HTMLElement).dataset.status).toBe('revoked')
    expect(items[1].textContent).toContain('o1')
    expect(heldPlaces(gifts)).toBe(2)
    expect(p.el.querySelector('[data-testid="gift-count"]')!.textContent).toBe('2')
  })
})
