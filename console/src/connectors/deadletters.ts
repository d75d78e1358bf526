// The dead letters of one connector: messages that could not be mapped,
// with the reason and the raw message, each replayable (after the mapping
// is fixed) on its own or all at once.

import { ApiError } from '../api'
import { h, replace, setText } from '../dom'
import { stamp } from '../format'
import { lang, t } from '../i18n'
import { connectorsApi } from './api'
import type { DeadLetter, ReplayResult } from './model'

export function replayText(r: ReplayResult): string {
  return t('cx.replayed', { ...r })
}

export function deadLetterPanel(room: string, onReplayed: () => void) {
  let source = ''
  let seq = 0
  const body = h('tbody', { testid: 'cx-dead-rows' })
  const empty = h('p', { class: 'empty', testid: 'cx-dead-empty', text: t('cx.deadNone') })
  const result = h('p', { class: 'muted', testid: 'cx-replay-result', attrs: { role: 'status' } })
  const all = h('button', { class: 'btn btn-small', testid: 'cx-replay-all', text: t('cx.replayAll'), attrs: { type: 'button' }, on: { click: () => void replay() } })
  const cols = ['cx.colReceived', 'cx.colKind', 'cx.colId', 'cx.colReason', 'cx.raw', 'cx.colActions'] as const
  const table = h('div', 'table-wrap', h('table', { class: 'table', testid: 'cx-dead-table' },
    h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: t(c), attrs: { scope: 'col' } })))), body))
  const el = h('section', { class: 'card cx-dead', testid: 'cx-dead', attrs: { 'aria-label': t('cx.dead') } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: t('cx.dead') }), all),
    h('p', { class: 'muted small', text: t('cx.deadHint') }), table, empty, result)
  el.hidden = true

  function row(d: DeadLetter): HTMLElement {
    return h('tr', { testid: 'cx-dead-row', attrs: { 'data-id': d.id } },
      h('td', { class: 'num', text: stamp(d.received_at, lang()) }),
      h('td', { text: d.kind }),
      h('td', { class: 'mono', text: d.message_id }),
      h('td', { class: 'dead-reason', text: d.reason }),
      h('td', {}, h('details', {}, h('summary', { text: t('cx.raw') }), h('pre', { class: 'diff', text: d.raw }))),
      h('td', {}, h('button', { class: 'btn btn-small', testid: 'cx-replay', text: t('cx.replay'), attrs: { type: 'button' }, on: { click: () => void replay([d.id]) } })))
  }

  async function load(): Promise<void> {
    const my = ++seq
    if (!source) {
      el.hidden = true
      return
    }
    try {
      const list = await connectorsApi.deadLetters(room, source)
      if (my !== seq) return
      el.hidden = false
      replace(body, ...list.map(row))
      empty.hidden = list.length > 0
      table.hidden = list.length === 0
      all.disabled = list.length === 0
    } catch (e) {
      if (my !== seq) return
      el.hidden = false
      setText(result, t('common.error', { message: e instanceof ApiError ? e.message : String(e) }))
    }
  }

  async function replay(ids?: string[]): Promise<void> {
    if (!source) return
    all.disabled = true
    try {
      setText(result, replayText(await connectorsApi.replay(room, source, ids)))
      onReplayed()
    } catch (e) {
      setText(result, t('common.error', { message: e instanceof ApiError ? e.message : String(e) }))
    }
    await load()
  }

  function setSource(s: string): void {
    if (s === source) return
    source = s
    setText(result, '')
    replace(body)
    void load()
  }

  return { el, setSource, reload: load }
}
