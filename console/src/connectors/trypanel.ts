// "Try a sample": a payload pasted as the platform sends it (and the
// headers its signature or topic needs) goes through the saved
// connector's `try` route, which stores nothing; the page shows the
// signature check and, per platform message, the LiveDeck events it would
// produce, or that it would be ignored or dead-lettered.

import { ApiError } from '../api'
import { h, replace, setText } from '../dom'
import { int } from '../format'
import { t } from '../i18n'
import { connectorsApi } from './api'
import { tryHeaders, tryOutcome, type TryMessage, type TryResult } from './model'
import { fieldProblemText } from './form'

const SIG_KEY = { ok: 'cx.sigOk', bad: 'cx.sigBad' } as const

/** The signature state in words. */
export function signatureText(s: string): string {
  return t('cx.trySignature', { state: t(s === 'ok' || s === 'bad' ? SIG_KEY[s] : 'cx.sigNone') })
}

function messageItem(m: TryMessage): HTMLElement {
  const outcome = tryOutcome(m)
  const head = [t('cx.tryMessage', { n: m.index + 1 }), m.kind, m.id].filter(Boolean).join(' · ')
  const what = outcome === 'error' ? t('cx.tryError', { reason: m.error })
    : outcome === 'ignored' ? t('cx.tryIgnored') : t('cx.tryEvents', { n: int(m.events.length) })
  return h('li', { class: `try-message try-${outcome}`, testid: 'cx-try-message', attrs: { 'data-outcome': outcome, 'data-kind': m.kind } },
    h('div', 'try-head', h('span', { class: 'try-title', text: head }), h('span', { class: 'try-what', testid: 'cx-try-outcome', text: what })),
    m.events.length ? h('pre', { class: 'diff try-events', testid: 'cx-try-events', text: m.events.map((e) => JSON.stringify(e)).join('\n') }) : null)
}

export function tryPanel(room: string) {
  let source = ''
  const sample = h('textarea', { class: 'editor try-sample', testid: 'cx-try-sample', attrs: { rows: 8, spellcheck: 'false', 'aria-label': t('cx.trySample') } })
  const headers = h('textarea', { class: 'input mono', testid: 'cx-try-headers', attrs: { rows: 3, spellcheck: 'false', placeholder: 'X-Shopify-Topic: orders/paid' } })
  const send = h('button', { class: 'btn btn-primary', testid: 'cx-try-send', text: t('cx.trySend'), attrs: { type: 'button' }, on: { click: () => void run() } })
  const note = h('p', { class: 'muted small', testid: 'cx-try-note', text: t('cx.trySaveFirst') })
  const signature = h('p', { class: 'try-signature', testid: 'cx-try-signature' })
  const messages = h('ol', { class: 'try-list', testid: 'cx-try-messages' })
  const error = h('p', { class: 'error', testid: 'cx-try-error', attrs: { role: 'alert' } })
  const el = h('section', { class: 'card cx-try', testid: 'cx-try', attrs: { 'aria-label': t('cx.try') } },
    h('h3', { class: 'card-title', text: t('cx.try') }),
    h('p', { class: 'muted small', text: t('cx.tryHint') }),
    note,
    h('label', 'field', h('span', { class: 'field-label', text: t('cx.trySample') }), sample),
    h('label', 'field', h('span', { class: 'field-label', text: t('cx.tryHeaders') }), headers),
    h('div', 'toolbar', send), error, signature, messages)

  function setSource(s: string): void {
    if (s === source) return
    source = s
    send.disabled = !s
    note.hidden = !!s
    show(null)
  }

  function show(r: TryResult | null): void {
    setText(error, '')
    signature.hidden = !r
    if (r) {
      setText(signature, signatureText(r.signature))
      signature.dataset.signature = r.signature
    }
    replace(messages, ...(r ? (r.messages.length ? r.messages.map(messageItem) : [h('li', { class: 'muted', text: t('cx.tryNone') })]) : []))
  }

  async function run(): Promise<void> {
    if (!source) return
    const { headers: hd, problems } = tryHeaders(headers.value)
    if (problems.length) {
      show(null)
      setText(error, problems.map(fieldProblemText).join(' '))
      return
    }
    send.disabled = true
    try {
      show(await connectorsApi.try(room, source, sample.value, hd))
    } catch (e) {
      show(null)
      setText(error, t('common.error', { message: e instanceof ApiError ? e.message : String(e) }))
    } finally {
      send.disabled = !source
    }
  }

  setSource('')
  send.disabled = true
  return { el, setSource }
}
