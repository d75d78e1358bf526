// The connector admin page of one room (#/connectors?room=R, admins only):
// the room's connectors with their live counts, the form that adds or
// edits one, the URL to paste into the platform (and a generated secret,
// shown once), a sample tried through the connector, and its dead letters.
// Loaded on demand with the YAML library the mapping editor needs.

import { ApiError, myRole } from '../api'
import { h, setText, syncList } from '../dom'
import { int, stamp } from '../format'
import { lang, t } from '../i18n'
import { forbiddenPage } from '../views/forbidden'
import { agoText, platformLabel } from '../views/sources'
import { connectorsApi } from './api'
import { deadLetterPanel } from './deadletters'
import { connectorForm } from './form'
import { absoluteUrl, type Connector } from './model'
import { Poller, isRefusal } from './poll'
import { tryPanel } from './trypanel'

/** Copies text to the clipboard; where the Clipboard API is refused (plain http), through a selected input. */
async function copy(text: string, input?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    if (!input) return false
    input.select()
    return document.execCommand('copy')
  }
}

function copyField(testid: string, label: string) {
  const input = h('input', { class: 'input mono copy-input', testid, attrs: { readonly: true, 'aria-label': label, spellcheck: 'false' } })
  const btn = h('button', {
    class: 'btn btn-small', testid: `${testid}-copy`, text: t('cx.copy'), attrs: { type: 'button' },
    on: { click: () => void copy(input.value, input).then((ok) => { if (ok) setText(btn, t('cx.copied')) }) },
  })
  const set = (v: string) => { input.value = v; setText(btn, t('cx.copy')) }
  return { el: h('div', 'copy-field', input, btn), set }
}

export function connectorsView(root: HTMLElement, room: string) {
  const role = myRole()
  if (role && role !== 'admin') {
    root.replaceChildren(forbiddenPage(t('cx.forbidden')))
    return { destroy(): void {} }
  }
  let connectors: Connector[] = []
  let selected: Connector | null = null
  let shownDead = -1

  const body = h('tbody', { testid: 'cx-rows' })
  const none = h('p', { class: 'empty', testid: 'cx-none', text: t('cx.none') })
  const listError = h('p', { class: 'error', testid: 'cx-list-error', attrs: { role: 'alert' } })
  const cols = ['cx.colSource', 'cx.colPlatform', 'cx.colLast', 'cx.colRate', 'cx.colSig', 'cx.colUnmapped', 'cx.colActions'] as const
  const listCard = h('section', { class: 'card', testid: 'cx-list', attrs: { 'aria-label': t('cx.list') } },
    h('h3', { class: 'card-title', text: t('cx.list') }),
    h('div', 'table-wrap', h('table', { class: 'table', testid: 'cx-table' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: t(c), attrs: { scope: 'col' } })))), body)),
    none, listError)

  const form = connectorForm(room, onSaved)
  const url = copyField('cx-url', t('cx.url'))
  const secretOnce = copyField('cx-secret-once', t('cx.secret'))
  const secretBox = h('div', { class: 'notice', testid: 'cx-secret-notice' }, h('p', { text: t('cx.secretOnce') }), secretOnce.el)
  secretBox.hidden = true
  const urlTitle = h('h3', { class: 'card-title', testid: 'cx-url-title' })
  const urlCard = h('section', { class: 'card', testid: 'cx-url-card', attrs: { 'aria-label': t('cx.url') } },
    urlTitle, h('p', { class: 'muted small', text: t('cx.urlHint') }), url.el, secretBox)
  urlCard.hidden = true
  const trying = tryPanel(room)
  const dead = deadLetterPanel(room, () => poll.now())

  root.replaceChildren(h('div', { class: 'connectors-page', testid: 'connectors-view' },
    h('h2', { class: 'page-title', text: t('cx.title', { room }) }),
    listCard,
    h('div', 'grid cx-grid',
      h('div', 'col', form.el),
      h('div', 'col', urlCard, trying.el, dead.el))))

  function create(c: Connector): HTMLElement {
    const btn = (id: string, label: string, fn: () => void, cls = 'btn btn-small') =>
      h('button', { class: cls, testid: id, text: label, attrs: { type: 'button' }, on: { click: fn } })
    return h('tr', { testid: 'cx-row', attrs: { 'data-source': c.source } },
      h('th', { class: 'mono', text: c.source, attrs: { scope: 'row' } }),
      h('td', { testid: 'cx-row-platform' }), h('td', { testid: 'cx-row-last' }), h('td', { class: 'num', testid: 'cx-row-rate' }),
      h('td', { class: 'num', testid: 'cx-row-sig' }), h('td', { class: 'num', testid: 'cx-row-unmapped' }),
      h('td', 'actions', btn('cx-edit', t('cx.editBtn'), () => select(find(c.source))),
        btn('cx-delete', t('cx.delete'), () => void remove(c.source), 'btn btn-small btn-danger')))
  }

  function update(tr: HTMLElement, c: Connector): void {
    const cell = (id: string) => tr.querySelector(`[data-testid="${id}"]`) as HTMLElement
    const last = c.stats.last_message_at
    setText(cell('cx-row-platform'), `${platformLabel(c.platform, c.format)} · ${c.format}${c.saved ? '' : ` (${t('cx.unsaved')})`}`)
    setText(cell('cx-row-last'), last === null ? t('sources.noMessage') : agoText((Date.now() - last) / 1000))
    cell('cx-row-last').title = last === null ? '' : stamp(last, lang())
    setText(cell('cx-row-rate'), t('sources.perMin', { n: int(c.stats.per_min) }))
    setText(cell('cx-row-sig'), int(c.stats.signature_failures))
    setText(cell('cx-row-unmapped'), `${int(c.stats.ignored)} / ${int(c.stats.dead_letters)}`)
    tr.setAttribute('aria-selected', String(selected?.source === c.source))
  }

  const find = (source: string): Connector | null => connectors.find((c) => c.source === source) ?? null

  function showList(list: Connector[]): void {
    connectors = list
    setText(listError, '')
    syncList(body, list, (c) => c.source, (c) => { const tr = create(c); update(tr, c); return tr }, update)
    none.hidden = list.length > 0
    if (selected) {
      const now = find(selected.source)
      if (now && now.stats.dead_letters !== shownDead) {
        shownDead = now.stats.dead_letters
        void dead.reload()
      }
    }
  }

  /** Shows the URL, try and dead letters of a saved connector (null: none). */
  function select(c: Connector | null, fill = true): void {
    selected = c
    if (fill) form.fill(c)
    urlCard.hidden = !c
    if (c) {
      setText(urlTitle, `${t('cx.url')} · ${c.source}`)
      url.set(absoluteUrl(c.ingest_url, location.origin))
    }
    secretBox.hidden = true
    shownDead = c?.stats.dead_letters ?? -1
    trying.setSource(c?.source ?? '')
    dead.setSource(c?.source ?? '')
    for (const tr of Array.from(body.children) as HTMLElement[]) tr.setAttribute('aria-selected', String(tr.dataset.source === c?.source))
  }

  function onSaved(c: Connector): void {
    select({ ...c, secret: undefined }, false)
    if (c.secret) {
      secretOnce.set(c.secret)
      secretBox.hidden = false
    }
    poll.now()
  }

  async function remove(source: string): Promise<void> {
    if (!window.confirm(t('cx.deleteConfirm', { source }))) return
    try {
      await connectorsApi.remove(room, source)
      if (selected?.source === source) select(null)
      setText(listError, '')
    } catch (e) {
      setText(listError, t('common.error', { message: e instanceof ApiError ? e.message : String(e) }))
    }
    poll.now()
  }

  function refused(e: unknown): void {
    if (!isRefusal(e) || (e as ApiError).status !== 403) return
    root.replaceChildren(forbiddenPage(t('cx.forbidden')))
  }

  const poll = new Poller({
    load: (signal) => connectorsApi.list(room, signal),
    onData: showList,
    onError: (e) => {
      refused(e)
      setText(listError, t('cx.unavailable', { message: e instanceof ApiError ? e.message : String(e) }))
    },
    visible: () => !document.hidden,
  })
  poll.start()
  void connectorsApi.formats().then(form.setFormats, (e) => {
    refused(e)
    setText(listError, t('cx.unavailable', { message: e instanceof ApiError ? e.message : String(e) }))
  })

  return {
    destroy(): void {
      poll.stop()
    },
  }
}
