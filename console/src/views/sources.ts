// The Sources panel (数据源): per ingest source of the focused room, the
// age of its newest event, its events per minute, and whether it stalled.
// Stalled is said in words and colour; the row carries data-stale.

import { h, setText, syncList } from '../dom'
import { clock } from '../format'
import { t, type MsgKey } from '../i18n'
import { ageBucket, type Freshness, type SourceFreshness } from '../state/freshness'

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

export function sourcesPanel() {
  const note = h('span', { class: 'muted small' })
  const list = h('ul', { class: 'sources', testid: 'sources-list' })
  const empty = h('p', { class: 'empty', text: t('sources.empty') })
  const el = h('section', { class: 'card sources-card', testid: 'sources-panel', attrs: { 'aria-label': t('sources.title') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('sources.title') }), note), list, empty)

  function create(s: SourceFreshness): HTMLElement {
    return h('li', { class: 'source-row', testid: 'source-row', attrs: { 'data-source': s.name } },
      h('span', { class: 'source-name', text: sourceLabel(s.name) }),
      h('span', { class: 'source-age', testid: 'source-age' }),
      h('span', { class: 'source-rate', testid: 'source-rate' }),
      h('span', { class: 'badge source-state', testid: 'source-state' }))
  }

  function update(row: HTMLElement, s: SourceFreshness): void {
    const [, age, rate, state] = Array.from(row.children) as HTMLElement[]
    const ago = agoText(s.ageSeconds)
    const perMin = t('sources.perMin', { n: s.perMin })
    row.dataset.stale = s.stale ? '1' : '0'
    row.title = t('sources.rowTitle', { name: s.name, ago, rate: perMin })
    setText(age, ago)
    setText(rate, perMin)
    setText(state, s.stale ? t('sources.stalled') : t('sources.live'))
  }

  function render(f: Freshness): void {
    setText(note, f.staleAfter > 0 ? t('sources.staleAfter', { s: f.staleAfter }) : '')
    syncList(list, f.sources, (s) => s.name, (s) => { const row = create(s); update(row, s); return row }, update)
    empty.hidden = f.sources.length > 0
  }

  return { el, render }
}
