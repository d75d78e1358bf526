// Operator alerts: open ones first by severity, each with an Acknowledge
// button that sends {"type":"ack"} over the websocket; the server's ack
// signal then marks it for every console.

import { h, setText, syncList } from '../dom'
import { clock } from '../format'
import { lang, t, type Lang, type MsgKey } from '../i18n'
import type { Alert } from '../protocol'
import type { AlertItem } from '../state/room'

/** The alert's message in the console's language (zh-CN, then zh), else as the rule wrote it. */
export function alertMessage(a: Alert, l: Lang = lang()): string {
  const m = a.messages ?? {}
  return m[l] ?? m[l.split('-')[0]] ?? a.message
}

export function alertList(onAck: (key: string) => void) {
  const list = h('ul', { class: 'alerts', testid: 'alert-list' })
  const empty = h('p', { class: 'empty', text: t('alerts.empty') })
  const count = h('span', { class: 'count-badge', testid: 'alert-count' })
  const el = h('section', { class: 'card', attrs: { 'aria-label': t('alerts.title') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('alerts.title') }), count), list, empty)

  function create(a: AlertItem): HTMLElement {
    const sev = a.alert.severity
    const sevKey = (['critical', 'warning', 'info'].includes(sev) ? `severity.${sev}` : 'severity.info') as MsgKey
    const btn = h('button', { class: 'btn btn-small', testid: 'alert-ack', text: t('alerts.ack'), attrs: { type: 'button' }, on: { click: () => onAck(a.key) } })
    const state = h('span', { class: 'alert-state' })
    return h('li', { class: `alert sev-${sev}`, testid: 'alert-item', attrs: { 'data-key': a.key } },
      h('span', { class: `badge sev-${sev}`, text: t(sevKey) }),
      h('span', { class: 'alert-msg', text: alertMessage(a.alert) }),
      h('span', { class: 'alert-meta', text: `${clock(a.at)}${a.rule ? ' · ' + a.rule : ''}` }),
      state, btn)
  }

  function update(li: HTMLElement, a: AlertItem): void {
    const state = li.querySelector('.alert-state') as HTMLElement
    const btn = li.querySelector('button') as HTMLButtonElement
    li.classList.toggle('acked', a.acked)
    btn.hidden = a.acked
    btn.disabled = a.ackPending
    setText(state, a.acked ? (a.ackedBy ? t('alerts.ackedBy', { by: a.ackedBy }) : t('alerts.acked')) : a.ackPending ? t('alerts.ackPending') : '')
  }

  function render(alerts: AlertItem[]): void {
    empty.hidden = alerts.length > 0
    const open = alerts.filter((a) => !a.acked).length
    setText(count, open ? String(open) : '')
    syncList(list, alerts, (a) => a.key, (a) => {
      const li = create(a)
      update(li, a)
      return li
    }, update)
  }

  return { el, render }
}
