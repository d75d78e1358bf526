// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { setLang } from '../i18n'
import { normalizeSnapshot } from '../protocol'
import { freshness, staleKpis } from '../state/freshness'
import { KPI_IDS, kpiCards } from './kpis'
import { overviewOnline } from './rooms'
import { agoText, sourceLabel, sourcesPanel, staleText } from './sources'

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
