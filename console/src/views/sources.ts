// The Sources panel (数据源): per ingest source of the focused room, the
// age of its newest message, its rate, and whether it stalled; for a saved
// connector also its platform, signature failures and the messages it did
// not map (ignored types and dead letters). Stalled is said in words and
// colour; the row carries data-stale.

import { type Connector, type SourceRow, sourceRows } from '../connectors/model'
import { h, setText, syncList } from '../dom'
import { clock, int } from '../format'
import { t, type MsgKey } from '../i18n'
import { ageBucket, type Freshness } from '../state/freshness'

/** "3 s ago", "12 min ago", in the current language. */
export function agoText(seconds: number): string {
  const b = ageBucket(seconds)
  return t(`ago.${b.unit}` as MsgKey, { n: b.n })
}

/** "stale since 12:03:04" (client clock), or "stale" when the time is unknown. */
export function staleText(since: number | null): string {
  return since === null ? t('fresh.stale') : t('fresh.staleSince', { since: clock(since) })
}

const KNOWN = new Set(['connector', 'webhook', 'simulator', 'api'])

/** A source's name for people: the known ones translated, others as sent. */
export function sourceLabel(name: string): string {
  return KNOWN.has(name) ? t(`sources.${name}` as MsgKey) : name
}

const PLATFORMS = ['douyin', 'tiktok', 'bilibili', 'shopify', 'doudian'] as const
type Platform = (typeof PLATFORMS)[number] | 'custom'

/** The known platform a format or platform name belongs to ("douyin-open" → douyin, "抖店" → doudian). */
function platformOf(name: string): Platform | null {
  const p = name.trim().toLowerCase()
  if (!p) return null
  if (p === 'mapping' || p === 'custom' || p === 'webhook') return 'custom'
  for (const k of PLATFORMS) if (p === k || p.startsWith(k + '-') || p.startsWith(k + '_') || p.startsWith(k + ' ')) return k
  if (p === '抖店') return 'doudian'
  if (p.startsWith('抖音')) return 'douyin'
  if (p === '哔哩哔哩' || p === 'b站') return 'bilibili'
  return null
}

/**
 * A platform's name for people in the current language: from the format
 * ("douyin-open" → Douyin) or the server's platform name; a JSON webhook
 * through a declared mapping is a custom webhook; anything else as sent.
 */
export function platformLabel(platform: string, format = ''): string {
  const k = platformOf(format) ?? platformOf(platform)
  if (k) return t(`platform.${k}`)
  return platform || format || t('platform.custom')
}

/** The state a row says in words: stalled, waiting for a first message, or live. */
export function rowState(r: SourceRow): 'stalled' | 'waiting' | 'live' {
  if (r.stale) return 'stalled'
  if (r.ageSeconds === null) return 'waiting'
  return 'live'
}

const STATE_KEY = { stalled: 'sources.stalled', waiting: 'sources.waiting', live: 'sources.live' } as const

export function sourcesPanel() {
  const note = h('span', { class: 'muted small' })
  const list = h('ul', { class: 'sources', testid: 'sources-list' })
  const empty = h('p', { class: 'empty', text: t('sources.empty') })
  const el = h('section', { class: 'card sources-card', testid: 'sources-panel', attrs: { 'aria-label': t('sources.title') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('sources.title') }), note), list, empty)

  function create(r: SourceRow): HTMLElement {
    return h('li', { class: 'source-row', testid: 'source-row', attrs: { 'data-source': r.name } },
      h('div', 'source-main',
        h('span', { class: 'source-name', text: sourceLabel(r.name) }),
        h('span', { class: 'badge source-platform', testid: 'source-platform' }),
        h('span', { class: 'badge source-state', testid: 'source-state' })),
      h('div', 'source-meta',
        h('span', { class: 'source-age', testid: 'source-age' }),
        h('span', { class: 'source-rate', testid: 'source-rate' }),
        h('span', { class: 'source-sig', testid: 'source-sig' }),
        h('span', { class: 'source-unmapped', testid: 'source-unmapped', attrs: { title: t('sources.unmappedTitle') } })))
  }

  const part = (row: HTMLElement, id: string) => row.querySelector(`[data-testid="${id}"]`) as HTMLElement

  function update(row: HTMLElement, r: SourceRow): void {
    const ago = r.ageSeconds === null ? t('sources.noMessage') : agoText(r.ageSeconds)
    const perMin = t('sources.perMin', { n: int(r.perMin) })
    const state = rowState(r)
    row.dataset.stale = r.stale ? '1' : '0'
    row.dataset.state = state
    row.dataset.connector = r.connector ? '1' : '0'
    row.title = t('sources.rowTitle', { name: r.name, ago, rate: perMin })
    const platform = part(row, 'source-platform')
    platform.hidden = !r.connector
    setText(platform, r.connector ? platformLabel(r.platform, r.format) : '')
    platform.title = r.format
    setText(part(row, 'source-state'), t(STATE_KEY[state]))
    setText(part(row, 'source-age'), ago)
    setText(part(row, 'source-rate'), perMin)
    const sig = part(row, 'source-sig')
    sig.hidden = !r.connector
    sig.dataset.alert = r.signatureFailures > 0 ? '1' : '0'
    setText(sig, r.connector ? t('sources.sigFailures', { n: int(r.signatureFailures) }) : '')
    const unmapped = part(row, 'source-unmapped')
    unmapped.hidden = !r.connector
    unmapped.dataset.alert = r.deadLetters > 0 ? '1' : '0'
    setText(unmapped, r.connector ? t('sources.unmapped', { ignored: int(r.ignored), dead: int(r.deadLetters) }) : '')
  }

  /**
   * Shows the snapshot's sources merged with the room's connectors (null:
   * not known, e.g. a role that may not read them); serverNow is the
   * server's clock now, for the connectors' last-message times.
   */
  function render(f: Freshness, connectors: readonly Connector[] | null = null, serverNow = Date.now()): void {
    const rows = sourceRows(f, connectors, serverNow)
    setText(note, f.staleAfter > 0 ? t('sources.staleAfter', { s: f.staleAfter }) : '')
    syncList(list, rows, (r) => r.name, (r) => { const row = create(r); update(row, r); return row }, update)
    empty.hidden = rows.length > 0
  }

  return { el, render }
}
