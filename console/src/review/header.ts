// The top of the review page: which show, its status and span, the partial
// notice, and the actions (reload, downloads, compare with, end broadcast).

import { h, replace } from '../dom'
import { int, stamp } from '../format'
import { lang, t } from '../i18n'
import { href } from '../router'
import type { RoomChoice } from './load'
import { reviewPath, routeExtra, type ReviewQuery } from './query'
import type { Review } from './shapes'

/** A moment as the tables write it: 24-hour time, with the date in the language's order when not today. */
const when = (ms: number): string => stamp(ms, lang())

export function reviewHeader(room: string, onRefresh: () => void, end: HTMLElement) {
  const title = h('h2', { class: 'page-title', testid: 'review-title', text: t('review.title', { room }) })
  const status = h('span', { class: 'badge status-badge', testid: 'review-status' })
  const meta = h('p', { class: 'muted review-meta', testid: 'review-meta' })
  const partial = h('p', { class: 'notice', testid: 'review-partial', attrs: { role: 'note' } })
  partial.hidden = true
  const csv = h('a', { class: 'btn btn-small', testid: 'review-export-csv', text: t('review.exportCsv'), attrs: { download: '' } })
  const html = h('a', { class: 'btn btn-small', testid: 'review-export-html', text: t('review.exportHtml'), attrs: { download: '' } })
  const refresh = h('button', { class: 'btn btn-small', testid: 'review-refresh', text: t('rules.reload'), attrs: { type: 'button' }, on: { click: onRefresh } })
  const picker = h('select', {
    class: 'input input-small', testid: 'review-compare-picker', attrs: { 'aria-label': t('review.compareWith') },
    on: { change: (e) => pick((e.target as HTMLSelectElement).value) },
  })
  const pickerField = h('label', 'inline-field', h('span', { class: 'muted', text: t('review.compareWith') }), picker)
  pickerField.hidden = true
  let query: ReviewQuery = { room, compare: '', window: 5 }
  let rooms: RoomChoice[] = []

  const el = h('div', 'review-head',
    h('div', 'card-head', h('div', 'review-name', title, status),
      h('div', 'toolbar', refresh, csv, html, pickerField)),
    meta, end, partial)

  function pick(other: string): void {
    location.hash = href('review', [room], routeExtra({ ...query, compare: other }))
  }

  function fillPicker(): void {
    const ids = new Set(rooms.map((r) => r.id))
    const choices = query.compare && !ids.has(query.compare) ? [{ id: query.compare, title: '', status: '' }, ...rooms] : rooms
    replace(picker,
      h('option', { text: t('review.compareNone'), attrs: { value: '', selected: !query.compare } }),
      ...choices.map((r) => h('option', {
        text: [r.id, r.title, r.status === 'live' ? t('review.statusLive') : ''].filter(Boolean).join(' · '),
        attrs: { value: r.id, selected: r.id === query.compare },
      })))
    pickerField.hidden = choices.length === 0
  }

  /** The query being shown: the picker and the download links follow it. */
  function setQuery(q: ReviewQuery): void {
    query = q
    setDownloads(false)
    fillPicker()
  }

  /** The links follow the window; the HTML one names the earlier show once the comparison has loaded. */
  function setDownloads(compared: boolean): void {
    csv.setAttribute('href', reviewPath(query, 'csv'))
    html.setAttribute('href', reviewPath({ ...query, compare: compared ? query.compare : '' }, 'html'))
  }

  function setRooms(list: RoomChoice[]): void {
    rooms = list
    fillPicker()
  }

  function render(r: Review): void {
    title.textContent = r.title ? t('review.titleNamed', { title: r.title, room: r.room }) : t('review.title', { room: r.room })
    const live = r.status === 'live'
    status.textContent = live ? t('review.statusLive') : t('review.statusClosed')
    status.dataset.status = live ? 'live' : 'closed'
    meta.textContent = [
      `${when(r.from)} – ${when(r.to)}`,
      t('review.events', { n: int(r.events) }),
      r.rules ? t('review.rules', { v: r.rules }) : '',
      r.source ? t('review.source', { v: r.source }) : '',
      t('review.built', { at: when(r.built_at) }),
    ].filter(Boolean).join(' · ')
    partial.hidden = !r.partial
    partial.textContent = r.partial ? t('review.partial', { from: when(r.from), to: when(r.to) }) : ''
  }

  return { el, render, setQuery, setDownloads, setRooms }
}
