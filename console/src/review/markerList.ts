// The markers of the timeline as a list: time, kind, text, rule and state
// (acknowledged by whom, missed, severity), filtered by kind.

import { h, replace } from '../dom'
import { clock } from '../format'
import { t } from '../i18n'
import { KIND_LABEL, kindOf, markState, markStyle, type MarkKind } from './markers'
import type { Marker } from './shapes'
import { card } from './ui'

type Filter = 'all' | Exclude<MarkKind, 'other'>
const FILTERS: Filter[] = ['all', 'tier', 'cue', 'alert']

export function markerRows(markers: readonly Marker[], filter: Filter): Marker[] {
  return filter === 'all' ? [...markers] : markers.filter((m) => kindOf(m.kind) === filter)
}

function row(m: Marker): HTMLElement {
  const style = markStyle(m)
  const state = markState(m)
  return h('tr', { testid: 'review-marker-row', attrs: { 'data-kind': style.kind, 'data-acked': style.kind === 'cue' ? String(m.acked) : null } },
    h('td', { class: 'num', text: clock(m.t) }),
    h('td', {}, h('span', { class: `badge mk ${style.cls}`, text: t(KIND_LABEL[style.kind]) })),
    h('td', { class: 'marker-text', text: m.text }),
    h('td', { class: 'muted', text: m.rule ?? '' }),
    h('td', { class: 'muted', text: state ? t(state.key, { by: state.by ?? '' }) : '' }))
}

export function markerList() {
  let filter: Filter = 'all'
  let markers: readonly Marker[] = []
  const body = h('tbody')
  const empty = h('p', { class: 'empty', text: t('review.noMarkers') })
  const chips = FILTERS.map((f) => h('button', {
    class: 'chip', testid: `review-markers-${f}`, text: f === 'all' ? t('comments.all') : t(KIND_LABEL[f]),
    attrs: { type: 'button', 'aria-pressed': f === filter },
    on: { click: () => { filter = f; draw() } },
  }))
  const el = card(t('review.markers'), 'review-markers',
    h('div', { class: 'toolbar', attrs: { role: 'group', 'aria-label': t('review.markerFilter') } }, ...chips),
    h('div', 'table-wrap scroll', h('table', { class: 'table', testid: 'review-marker-table' },
      h('thead', {}, h('tr', {}, ...(['review.time', 'review.kind', 'review.text', 'review.rule', 'review.state'] as const)
        .map((k) => h('th', { text: t(k), attrs: { scope: 'col' } })))), body)),
    empty)

  function draw(): void {
    const rows = markerRows(markers, filter)
    chips.forEach((c, i) => c.setAttribute('aria-pressed', String(FILTERS[i] === filter)))
    empty.hidden = rows.length > 0
    replace(body, ...rows.map(row))
  }

  function render(list: readonly Marker[]): void {
    markers = list
    draw()
  }

  return { el, render }
}
