// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { setLang } from '../i18n'
import type { Comment } from '../protocol'
import { Ring } from '../state/ring'
import { commentFeed, visibleComments } from './comments'
import { funnelRows } from './funnel'
import { cueKindLabel, focusSku } from './host'
import { cloudLayout } from './keywords'
import { skuRows } from './skus'

const c = (id: string, text: string, cls: Comment['class'] = '', nickname = 'n'): Comment => ({ id, ts: 0, user_id: 'u', nickname, text, class: cls })

describe('comment feed', () => {
  it('shows comments and nicknames as literal text, never markup', () => {
    const ring = new Ring<Comment>(10)
    ring.push(c('1', '<img src=x onerror=alert(1)>', 'abuse', '<b>bold</b>'))
    const feed = commentFeed(() => {})
    document.body.appendChild(feed.el)
    feed.render(ring)
    const list = feed.el.querySelector('[data-testid="comment-feed"]')!
    expect(list.querySelector('img')).toBeNull()
    expect(list.querySelector('b')).toBeNull()
    expect(list.textContent).toContain('<img src=x onerror=alert(1)>')
    expect(list.textContent).toContain('<b>bold</b>')
    expect(list.querySelector('.c-abuse')).not.toBeNull()
  })

  it('filters by class and text, newest first, and pauses', () => {
    const ring = new Ring<Comment>(10)
    ring.push(c('1', 'how much?', 'question'))
    ring.push(c('2', 'buy buy', 'intent'))
    ring.push(c('3', 'hello'))
    expect(visibleComments(ring, 'all', '').map((x) => x.id)).toEqual(['3', '2', '1'])
    expect(visibleComments(ring, 'intent', '').map((x) => x.id)).toEqual(['2'])
    expect(visibleComments(ring, 'all', 'HOW').map((x) => x.id)).toEqual(['1'])

    let changes = 0
    const feed = commentFeed(() => changes++)
    feed.render(ring)
    const rows = () => feed.el.querySelectorAll('[data-testid="comment-row"]').length
    expect(rows()).toBe(3)
    ;(feed.el.querySelector('[data-testid="comment-pause"]') as HTMLButtonElement).click()
    ring.push(c('4', 'new one'))
    feed.render(ring)
    expect(rows()).toBe(3)
    expect(feed.el.querySelector('[data-testid="comment-pending"]')!.textContent).toContain('1')
    ;(feed.el.querySelector('[data-testid="comment-pause"]') as HTMLButtonElement).click()
    feed.render(ring)
    expect(rows()).toBe(4)
    ;(feed.el.querySelector('[data-testid="comment-filter-question"]') as HTMLButtonElement).click()
    feed.render(ring)
    expect(rows()).toBe(1)
    expect(changes).toBe(3)
  })
})

describe('panels', () => {
  it('computes funnel widths and step rates', () => {
    const r = funnelRows({ exposures: 200, clicks: 50, carts: 20, orders: 10, paid: 8 })
    expect(r.map((x) => [x.key, x.width, x.rate])).toEqual([
      ['exposures', 1, null], ['clicks', 0.25, 0.25], ['carts', 0.1, 0.4], ['orders', 0.05, 0.5], ['paid', 0.04, 0.8]])
    expect(funnelRows({ exposures: 0, clicks: 0, carts: 0, orders: 0, paid: 0 })[1].rate).toBeNull()
  })

  it('sorts SKUs by GMV and shows the tier where it applies', () => {
    const s = { exposures: 0, clicks: 0, ctr: 0, orders: 0, click_to_order: 0, units_sold: 0, stock: 5, cart_adds: 0, cart_rate: 0 }
    const rows = skuRows({ a: { ...s, gmv: 1 }, b: { ...s, gmv: 9 } }, { name: 'T1', coupon: '满199减20', sku: 'a' })
    expect(rows.map((r) => [r.sku, r.tier])).toEqual([['b', ''], ['a', '满199减20']])
    expect(skuRows(undefined, null)).toEqual([])
  })

  it('sizes keywords by log count within bounds', () => {
    const l = cloudLayout([{ word: '链接', count: 100 }, { word: 'size', count: 10 }, { word: 'x', count: 1 }, { word: '', count: 5 }])
    expect(l.map((w) => w.word)).toEqual(['size', 'x', '链接'])
    const size = Object.fromEntries(l.map((w) => [w.word, w.size]))
    expect(size['链接']).toBe(2.4)
    expect(size.x).toBe(0.8)
    expect(size.size).toBeCloseTo(1.6, 1)
    expect(cloudLayout(undefined)).toEqual([])
    expect(cloudLayout([{ word: 'one', count: 3 }])[0].size).toBe(2.4)
  })

  it('names the known cue kinds in the page language and keeps others', () => {
    setLang('zh-CN')
    expect([cueKindLabel('countdown'), cueKindLabel('card'), cueKindLabel('flash-sale'), cueKindLabel(undefined)]).toEqual(['倒计时', '卡片', 'flash-sale', ''])
    setLang('en')
    expect(cueKindLabel('countdown')).toBe('countdown')
  })

  it('picks the SKU whose stock the host sees', () => {
    const m = { skus: { a: { gmv: 1 }, b: { gmv: 5 } } } as never
    expect(focusSku({ cue: { sku: 'c' } } as never, { name: 't', sku: 'a' }, m)).toBe('c')
    expect(focusSku(undefined, { name: 't', sku: 'a' }, m)).toBe('a')
    expect(focusSku(undefined, null, m)).toBe('b')
    expect(focusSku(undefined, null, null)).toBeNull()
  })
})

describe('paid traffic', () => {
  it('shows ROI and spend cards and the cart columns', async () => {
    const { kpiCards } = await import('./kpis')
    const { skuTable } = await import('./skus')
    const { normalizeSnapshot } = await import('../protocol')
    const m = normalizeSnapshot('r', {
      spend: 850_000, spend_per_min: 12_000, roi: 2.3529, cost_per_buyer: 283_333, gmv: 2_000_000,
      skus: { A: { exposures: 10, clicks: 5, ctr: 0.5, orders: 1, click_to_order: 0.2, units_sold: 1, gmv: 100, stock: 9, cart_adds: 2, cart_rate: 0.4 } },
    })
    const k = kpiCards()
    k.render(m, undefined)
    const text = (id: string) => k.el.querySelector(`[data-testid="${id}"]`)!.textContent
    expect(text('kpi-roi-value')).toBe('2.35')
    expect(text('kpi-spend-value')).toContain('8,500')
    k.render(normalizeSnapshot('r', { gmv: 100 }), undefined)
    expect(text('kpi-roi-value')).toBe('–') // nothing spent: no ROI
    const s = skuTable()
    s.render(m.skus, null)
    expect(s.el.querySelector('[data-testid="sku-carts-A"]')!.textContent).toBe('2')
    expect(s.el.querySelector('[data-testid="sku-cart-rate-A"]')!.textContent).toBe('40.0%')
  })
})

describe('numbers that fit', () => {
  it('abbreviates a large KPI and keeps the exact value in its title', async () => {
    const { kpiCards } = await import('./kpis')
    const { normalizeSnapshot } = await import('../protocol')
    const { setLang } = await import('../i18n')
    const k = kpiCards()
    const value = (id: string) => k.el.querySelector(`[data-testid="kpi-${id}-value"]`) as HTMLElement
    for (const [l, gmv, online] of [['en', '¥603.4k', '123.5k'], ['zh-CN', '¥60.34万', '12.35万']] as const) {
      setLang(l)
      k.render(normalizeSnapshot('r', { gmv: 60_342_912, online: 123_456 }), undefined)
      expect([value('gmv').textContent, value('gmv').title]).toEqual([gmv, '¥603,429.12'])
      expect([value('online').textContent, value('online').title]).toEqual([online, '123,456'])
    }
    setLang('en')
  })

  it('names products next to their SKUs and says the regular price when no tier applies', async () => {
    const { skuTable } = await import('./skus')
    const { setLang } = await import('../i18n')
    const stats = { exposures: 1, clicks: 1, ctr: 1, orders: 1, click_to_order: 1, units_sold: 1, gmv: 1, stock: 9, cart_adds: 0, cart_rate: 0 }
    const s = skuTable()
    const cell = (id: string) => s.el.querySelector(`[data-testid="${id}"]`)!.textContent
    s.render({ A: stats, B: { ...stats, gmv: 5 } }, { name: 'T1', coupon: '满199减20', sku: 'A' })
    expect([cell('sku-name-A'), cell('sku-tier-A'), cell('sku-tier-B')]).toEqual(['A', '满199减20', 'Regular price'])
    s.setNames(new Map([['A', '丝绒口红 Velvet lipstick']]))
    expect(cell('sku-name-A')).toBe('丝绒口红 Velvet lipstick')
    expect(s.el.querySelector('[data-testid="sku-row-A"] .sku-id')!.textContent).toBe('A')
    setLang('zh-CN')
    s.render({ B: stats }, null)
    expect(cell('sku-tier-B')).toBe('原价')
    setLang('en')
  })
})

describe('chart axes', () => {
  it('span the data, a few minutes at least, with room for the end bars', async () => {
    const { timeSpan, timeTick, axisWidth } = await import('./chart')
    expect(timeSpan([1000, 1060], 300, 60, 2000)).toEqual([730, 1090])
    expect(timeSpan([0, 3600], 300, 60, 4000)).toEqual([-30, 3630])
    expect(timeSpan([], 60, 0, 500)).toEqual([440, 500])
    expect(timeSpan([490], 60, 0, 500)).toEqual([430, 491])
    expect(timeTick(new Date(2026, 11, 1, 18, 2, 5).getTime() / 1000, 30)).toBe('18:02:05')
    expect(timeTick(new Date(2026, 11, 1, 18, 2, 0).getTime() / 1000, 300)).toBe('18:02')
    expect(axisWidth(['¥100k', '¥50k'])).toBeGreaterThan(axisWidth(['¥5']))
    expect(axisWidth(['¥10万'])).toBe(Math.ceil(5 * 7.5) + 18) // 万 counts as two
  })
})
