// "End broadcast" for a room still on air: a button, then a confirm step
// (in the page, not a browser dialog), then POST /close. The server answers
// with the stored review, which the page shows at once.

import { ApiError } from '../api'
import { h, replace } from '../dom'
import { t } from '../i18n'
import { closeBroadcast, problemOf } from './load'
import type { Review } from './shapes'

export function endBroadcast(room: string, onClosed: (r: Review) => void) {
  const el = h('div', { class: 'end-broadcast', testid: 'review-end' })
  el.hidden = true
  let busy = false

  const button = (testid: string, label: string, cls: string, fn: () => void) =>
    h('button', { class: cls, testid, text: label, attrs: { type: 'button' }, on: { click: fn } })

  function idle(error = ''): void {
    replace(el,
      button('review-end-start', t('review.end'), 'btn btn-danger', ask),
      error ? h('span', { class: 'error', testid: 'review-end-error', attrs: { role: 'alert' }, text: error }) : null)
  }

  function ask(): void {
    const confirm = button('review-end-confirm', t('review.endConfirm'), 'btn btn-danger', () => void close())
    replace(el,
      h('span', { class: 'end-question', attrs: { role: 'alert' }, text: t('review.endQuestion', { room }) }),
      confirm,
      button('review-end-cancel', t('review.cancel'), 'btn', () => idle()))
    confirm.focus()
  }

  async function close(): Promise<void> {
    if (busy) return
    busy = true
    replace(el, h('span', { class: 'muted', attrs: { role: 'status' }, text: t('review.ending') }))
    try {
      const r = await closeBroadcast(room)
      onClosed(r)
    } catch (e) {
      idle(e instanceof ApiError && e.status === 403 ? t('review.endForbidden') : problemOf(e, room).message)
    } finally {
      busy = false
    }
  }

  /** Shown while the room is live and the caller may end it. */
  function render(live: boolean, allowed: boolean): void {
    const show = live && allowed
    if (show && el.hidden) idle()
    el.hidden = !show
  }

  return { el, render }
}
