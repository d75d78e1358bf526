// Gift winners of the focused room, by place: who gets a sample. A revoked
// winner (refunded or cancelled) is struck through and marked, next to the
// order that took its place; a refunded winner kept under on_refund: keep is
// marked too. The list is read from GET …/gifts (the stream's gift signals
// only say when to read it again), with a CSV download for shipping.

import { api, roomPath } from '../api'
import { h, setAttrs, setText, syncList } from '../dom'
import { t } from '../i18n'
import type { Gift } from '../protocol'

/** Places still held (what ships): not revoked. */
export const heldPlaces = (gifts: readonly Gift[]): number => gifts.filter((g) => g.status !== 'revoked').length

export function giftPanel() {
  const list = h('ol', { class: 'gifts', testid: 'gift-list' })
  const empty = h('p', { class: 'empty', text: t('gifts.empty') })
  const count = h('span', { class: 'count-badge ok-badge', testid: 'gift-count' })
  const csv = h('a', { class: 'btn btn-small', testid: 'gift-csv', text: t('gifts.download') })
  const el = h('section', { class: 'card', testid: 'gift-panel', attrs: { 'aria-label': t('gifts.title') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('gifts.title') }), count, csv), list, empty)
  let room = ''
  let loading: Promise<void> | null = null
  let again = false

  function fill(li: HTMLElement, g: Gift): void {
    li.dataset.status = g.status ?? 'won'
    li.classList.toggle('revoked', g.status === 'revoked')
    const mark = g.status === 'revoked' ? t('gifts.revoked') : g.status === 'refunded' ? t('gifts.refunded') : g.replaces ? t('gifts.replaces', { order: g.replaces }) : ''
    li.replaceChildren(
      h('span', { class: 'gift-n', text: `#${g.n}` }),
      h('span', { class: 'gift-order', text: g.order_id }),
      h('span', { class: 'gift-meta', text: [g.user_id, g.sku, g.quota].filter(Boolean).join(' · ') }),
      mark ? h('span', { class: `badge gift-mark${g.status ? ' sev-warning' : ''}`, text: mark }) : '')
  }

  function render(gifts: Gift[]): void {
    empty.hidden = gifts.length > 0
    setText(count, gifts.length ? String(heldPlaces(gifts)) : '')
    syncList(list, gifts, (g) => `${g.quota}|${g.order_id}`, (g) => {
      const li = h('li', { class: 'gift', testid: 'gift-item' })
      fill(li, g)
      return li
    }, fill)
  }

  async function fetchList(): Promise<void> {
    const r = room
    try {
      const gifts = await api.get<Gift[]>(`${roomPath(r)}/gifts`)
      if (r === room) render(Array.isArray(gifts) ? gifts : [])
    } catch (e) {
      console.warn(`livedeck: gifts of ${r}:`, (e as Error).message)
    }
  }

  /** Reads the room's list; calls while a read is under way coalesce into one more. */
  function load(r: string): void {
    if (r !== room) {
      room = r
      setAttrs(csv, { href: `${roomPath(r)}/gifts?format=csv`, download: `${r}-gifts.csv` })
      render([])
    }
    if (loading) {
      again = true
      return
    }
    loading = fetchList().finally(() => {
      loading = null
      if (again) {
        again = false
        load(room)
      }
    })
  }

  return { el, load, render }
}
