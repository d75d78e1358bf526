// The connection banner: always in the DOM (data-testid="conn-banner") with
// data-state ok | connecting | stale | delayed | disconnected | auth | fatal, visible
// whenever the numbers on screen may be old.

import { h, setText } from '../dom'
import { clock } from '../format'
import { t } from '../i18n'
import type { LiveSession } from '../session'

export type BannerState = 'ok' | 'connecting' | 'stale' | 'delayed' | 'disconnected' | 'auth' | 'fatal'

export function banner(session: LiveSession) {
  const msg = h('span', { class: 'banner-msg', testid: 'conn-banner-text' })
  const retry = h('span', { class: 'banner-retry' })
  const btn = h('button', { class: 'btn btn-small', testid: 'conn-retry', text: t('conn.retryNow'), on: { click: () => session.socket.reconnectNow() } })
  const el = h('div', { class: 'banner', testid: 'conn-banner', attrs: { role: 'status', 'aria-live': 'polite' } }, msg, retry, btn)

  function render(): void {
    const st = session.store
    const conn = st.conn
    const stale = st.staleness()
    let state: BannerState = 'ok'
    let text = t('conn.ok')
    let retryText = ''
    if (conn.status === 'auth') {
      state = 'auth'
      text = t('conn.auth')
    } else if (conn.status === 'fatal') {
      state = 'fatal'
      const code = conn.closeCode
      text = code === 4003 ? t('conn.fatal4003') : code === 4004 ? t('conn.fatal4004') : t('conn.fatal4008')
      if (conn.closeReason) text += ` (${conn.closeReason})`
    } else if (conn.status !== 'open' && st.instance === '' && conn.attempt === 0) {
      state = 'connecting'
      text = t('conn.connecting')
    } else if (stale.stale && stale.reason === 'disconnected') {
      state = 'disconnected'
      text = t('conn.lost', { since: clock(stale.since ?? st.now()) })
      if (conn.retryAt) retryText = t('conn.retryIn', { s: Math.max(0, Math.ceil((conn.retryAt - st.now()) / 1000)) })
    } else if (st.delayed().rooms.length > 0) {
      // The server says its numbers are behind: say why, and since when
      // (server time, shown in the viewer's clock).
      const d = st.delayed()
      state = 'delayed'
      const since = clock((d.since ?? st.serverNow()) - st.serverOffset)
      text = d.redis ? t('conn.delayedRedis', { since }) : t('conn.delayedProcessing', { rooms: d.rooms.join(', '), since })
    } else if (stale.stale) {
      state = 'stale'
      text = t('conn.noData', { rooms: stale.rooms.join(', '), since: clock(stale.since ?? st.now()) })
    }
    if (state === 'ok' && st.lastError && st.now() - st.lastError.at < 10_000) {
      text = t('conn.serverError', { message: st.lastError.message })
    }
    el.dataset.state = state
    el.hidden = state === 'ok' && text === t('conn.ok')
    setText(msg, text)
    setText(retry, retryText)
    btn.hidden = state !== 'disconnected'
  }

  return { el, render }
}
