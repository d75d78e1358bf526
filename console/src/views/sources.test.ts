// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { setLang } from '../i18n'
import { normalizeSnapshot } from '../protocol'
import { freshness, staleKpis } from '../state/freshness'
import { KPI_IDS, kpiCards } from './kpis'
import { overviewOnline } from './rooms'
import { normalizeConnector } from '../connectors/model'
import { agoText, platformLabel, sourceLabel, sourcesPanel, staleText } from './sources'

afterEach(() => setLang('en'))

const m = normalizeSnapshot('r1', {
  stale_after_seconds: 30, viewers_age_seconds: 3,
  sources: {
    connector: { newest_ms: 0, age_seconds: 3, per_min: 120, stale: false },
    webhook: { newest_ms: 0, age_seconds: 45, per_min: 0, stale: true },
  },
})

describe('age text', () => {
  it('says ages in both languages', () => {
    expect([3, 59.9, 12 * 60 + 5, 7200].map(agoText)).toEqual(['3 s ago', '59 s ago', '12 min ago', '2 h ago'])
    setLang('zh-CN')
    expect(agoText(720)).toBe('12 分钟前')
    expect(sourceLabel('connector')).toBe('平台连接器')
    expect(sourceLabel('my-bridge')).toBe('my-bridge')
  })

  it('says since when a number is stale, on the local clock', () => {
    const at = new Date(2026, 0, 2, 9, 5, 7).getTime()
    expect(staleText(at)).toBe('stale since 09:05:07')
    expect(staleText(null)).toBe('stale')
  })
})

describe('sources panel', () => {
  it('lists each source with its age, rate and state, and ticks', () => {
    const p = sourcesPanel()
    p.render(freshness(m, 100_000, 100_000))
    const rows = () => Array.from(p.el.querySelectorAll<HTMLElement>('[data-testid="source-row"]'))
    expect(rows().map((r) => [r.dataset.source, r.dataset.stale])).toEqual([['connector', '0'], ['webhook', '1']])
    const text = (r: HTMLElement, id: string) => r.querySelector(`[data-testid="${id}"]`)!.textContent
    expect(text(rows()[0], 'source-age')).toBe('3 s ago')
    expect(text(rows()[0], 'source-rate')).toBe('120/min')
    expect(text(rows()[0], 'source-state')).toBe('Live')
    expect(text(rows()[1], 'source-state')).toBe('Stalled') // in words, not colour alone
    expect(p.el.textContent).toContain('stalled after 30 s silent')

    const first = rows()[0]
    p.render(freshness(m, 100_000, 128_000)) // no new snapshot: the connector crosses 30 s
    expect(rows()[0]).toBe(first) // rows are updated in place
    expect(text(first, 'source-age')).toBe('31 s ago')
    expect(first.dataset.stale).toBe('1')
  })

  it('shows a connector by platform with its last message, rate, signature failures and unmapped messages', () => {
    const now = 1_000_000
    const bili = normalizeConnector({
      source: 'connector', format: 'bilibili', platform: 'bilibili', settings: { format: 'bilibili' },
      stats: { last_message_at: now - 1_000, per_min: 1234, signature_failures: 0, ignored: 5, dead_letters: 2 },
    })
    const shop = normalizeConnector({ source: 'shop', format: 'shopify', platform: 'shopify', stats: { signature_failures: 3 } })
    const p = sourcesPanel()
    p.render(freshness(m, 100_000, 100_000), [bili, shop], now)
    const row = (name: string) => p.el.querySelector<HTMLElement>(`[data-source="${name}"]`)!
    const text = (r: HTMLElement, id: string) => r.querySelector<HTMLElement>(`[data-testid="${id}"]`)!
    expect(text(row('connector'), 'source-platform').textContent).toBe('Bilibili')
    expect(text(row('connector'), 'source-age').textContent).toBe('1 s ago')
    expect(text(row('connector'), 'source-rate').textContent).toBe('1,234/min')
    expect(text(row('connector'), 'source-sig').textContent).toBe('signature failures: 0')
    expect(text(row('connector'), 'source-unmapped').textContent).toBe('ignored: 5 · dead letters: 2')
    expect(text(row('connector'), 'source-unmapped').dataset.alert).toBe('1')
    expect(text(row('shop'), 'source-age').textContent).toBe('no message yet')
    expect(text(row('shop'), 'source-state').textContent).toBe('Waiting')
    expect(text(row('shop'), 'source-sig').dataset.alert).toBe('1')
    // A source that is not a saved connector shows no connector counts.
    expect(text(row('webhook'), 'source-platform').hidden).toBe(true)
    expect(text(row('webhook'), 'source-sig').hidden).toBe(true)

    setLang('zh-CN')
    const zhPanel = sourcesPanel()
    zhPanel.render(freshness(m, 100_000, 100_000), [bili], now)
    const zr = zhPanel.el.querySelector<HTMLElement>('[data-source="connector"]')!
    expect(text(zr, 'source-platform').textContent).toBe('哔哩哔哩')
    expect(text(zr, 'source-unmapped').textContent).toBe('忽略 5 条 · 死信 2 条')
    expect(text(zr, 'source-sig').textContent).toBe('签名失败 0 次')
  })

  it('names platforms from the server or the format', () => {
    expect(['douyin', 'douyin-open', 'tiktok-live', 'doudian', 'mapping', '', 'kuaishou'].map((p) => platformLabel(p))).toEqual(
      ['Douyin', 'Douyin', 'TikTok LIVE', 'Doudian shop', 'Custom webhook', 'Custom webhook', 'kuaishou'])
    expect(platformLabel('', 'douyin-webcast')).toBe('Douyin')
    expect(platformLabel('抖店', 'doudian')).toBe('Doudian shop') // the server's display name, in the page's language
    expect(platformLabel('Bilibili live', 'my-format')).toBe('Bilibili')
  })

  it('says when nothing arrived yet', () => {
    const p = sourcesPanel()
    p.render(freshness(normalizeSnapshot('r1', {}), 100_000, 100_000))
    expect(p.el.querySelector('.empty')!.hasAttribute('hidden')).toBe(false)
    expect(p.el.querySelectorAll('[data-testid="source-row"]').length).toBe(0)
  })
})

describe('stale KPI cards', () => {
  it('marks the cards given, says since when, and clears the marks', () => {
    const k = kpiCards()
    const card = (id: string) => k.el.querySelector<HTMLElement>(`[data-testid="kpi-${id}"]`)!
    const since = new Date(2026, 0, 2, 20, 0, 1).getTime()
    k.mark(new Map([['online', since]]), () => 'why')
    expect(card('online').dataset.stale).toBe('1')
    expect(card('gmv').dataset.stale).toBe('0')
    const note = k.el.querySelector<HTMLElement>('[data-testid="kpi-online-stale"]')!
    expect(note.hidden).toBe(false)
    expect(note.textContent).toBe('stale since 20:00:01')
    expect(note.title).toBe('why')
    k.mark(new Map(), () => '')
    expect(card('online').dataset.stale).toBe('0')
    expect(note.hidden).toBe(true)
  })

  it('marks every card when every source is silent', () => {
    const all = normalizeSnapshot('r1', { stale_after_seconds: 30, sources: { connector: { newest_ms: 0, age_seconds: 40, per_min: 0, stale: true } } })
    const k = kpiCards()
    k.mark(staleKpis(freshness(all, 100_000, 100_000), KPI_IDS), () => '')
    expect(k.el.querySelectorAll('[data-stale="1"]').length).toBe(KPI_IDS.length)
  })
})

describe('overview', () => {
  it('marks a room whose online count the server says is stale', () => {
    const base = { online: 5, uv: 0, gmv: 0, orders_paid: 0, conversion: 0 }
    expect(overviewOnline(base, 100_000)).toEqual({ stale: false, since: null })
    expect(overviewOnline({ ...base, online_stale: true, viewers_age_seconds: 40 }, 100_000)).toEqual({ stale: true, since: 60_000 })
    expect(overviewOnline({ ...base, online_stale: true }, 100_000)).toEqual({ stale: true, since: null })
  })
})
