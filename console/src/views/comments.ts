// The live comment feed: newest first, at most 500 rows (the room state
// keeps no more), highlighting purchase intent, questions and abuse, with
// class filters, a text search and pause. Nicknames and texts are set with
// textContent only.

import { h, setText, syncList } from '../dom'
import { clock } from '../format'
import { t, type MsgKey } from '../i18n'
import type { Comment, CommentClass } from '../protocol'
import type { Ring } from '../state/ring'

export type Filter = 'all' | Exclude<CommentClass, ''>

export const FEED_ROWS = 500

/** The comments the feed shows for a filter and search text, newest first. */
export function visibleComments(ring: Ring<Comment>, filter: Filter, search: string, limit = FEED_ROWS): Comment[] {
  const q = search.trim().toLowerCase()
  return ring.newest(limit, (c) =>
    (filter === 'all' || c.class === filter) &&
    (!q || c.text.toLowerCase().includes(q) || (c.nickname ?? '').toLowerCase().includes(q)))
}

const FILTERS: { f: Filter; label: MsgKey }[] = [
  { f: 'all', label: 'comments.all' },
  { f: 'intent', label: 'comments.intent' },
  { f: 'question', label: 'comments.question' },
  { f: 'abuse', label: 'comments.abuse' },
]

export function commentFeed(onChange: () => void) {
  let filter: Filter = 'all'
  let search = ''
  let paused = false
  let totalAtPause = 0
  let ring: Ring<Comment> | undefined

  const list = h('ol', { class: 'feed', testid: 'comment-feed', attrs: { tabindex: '0', 'aria-label': t('comments.title') } })
  const empty = h('p', { class: 'empty', text: t('comments.empty') })
  const pending = h('span', { class: 'feed-pending', testid: 'comment-pending' })
  const changed = () => {
    sync()
    onChange()
  }
  const buttons = FILTERS.map(({ f, label }) =>
    h('button', {
      class: 'chip', testid: `comment-filter-${f}`, text: t(label), attrs: { type: 'button' },
      on: { click: () => { filter = f; changed() } },
    }))
  const searchBox = h('input', {
    class: 'input input-small', testid: 'comment-search',
    attrs: { type: 'search', placeholder: t('comments.search'), 'aria-label': t('comments.search') },
    on: { input: (e) => { search = (e.target as HTMLInputElement).value; changed() } },
  })
  const pauseBtn = h('button', {
    class: 'btn btn-small', testid: 'comment-pause', attrs: { type: 'button' },
    on: { click: () => { paused = !paused; totalAtPause = ring?.total ?? 0; changed() } },
  })
  const el = h('section', { class: 'card feed-card', attrs: { 'aria-label': t('comments.title') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('comments.title') }), pending),
    h('div', { class: 'toolbar', attrs: { role: 'group', 'aria-label': t('comments.filter') } }, ...buttons, searchBox, pauseBtn),
    list, empty)
  sync()

  function sync(): void {
    buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(FILTERS[i].f === filter)))
    pauseBtn.setAttribute('aria-pressed', String(paused))
    el.classList.toggle('paused', paused)
    setText(pauseBtn, paused ? t('comments.resume') : t('comments.pause'))
  }

  function row(c: Comment): HTMLElement {
    const cls = c.class || ''
    return h('li', { class: `feed-row${cls ? ' c-' + cls : ''}`, testid: 'comment-row', attrs: { 'data-class': cls } },
      h('time', { class: 'feed-time', text: clock(c.ts) }),
      cls ? h('span', { class: `badge b-${cls}`, text: t(`comments.${cls}` as MsgKey) }) : null,
      h('span', { class: 'feed-nick', text: c.nickname || c.user_id }),
      h('span', { class: 'feed-text', text: c.text }))
  }

  /** Shows the ring's comments (call when comments or the room changed). */
  function render(r: Ring<Comment> | undefined): void {
    ring = r
    if (!r) return
    if (paused) {
      const n = Math.max(0, r.total - totalAtPause)
      setText(pending, n > 0 ? t('comments.newWhilePaused', { n }) : '')
      return
    }
    setText(pending, '')
    const items = visibleComments(r, filter, search)
    empty.hidden = items.length > 0
    syncList(list, items, (c) => c.id, row)
  }

  return { el, render }
}
