// The host's cue screen: one big current cue with its time-to-live
// countdown, the active price tier, the stock of the product in focus, and
// the next cues. Tap, Space or Enter acknowledges the current cue. Readable
// from two metres; `&transparent=1` drops the background for an OBS source.

import { h, setText, syncList } from '../dom'
import { countdown } from '../format'
import { t, type MsgKey } from '../i18n'
import type { Snapshot, Tier } from '../protocol'
import { LiveSession } from '../session'
import type { Part } from '../state/frame'
import { cueQueue, cueRemaining, type ActiveCue } from '../state/room'
import type { ResumeBook } from '../state/streamid'
import { banner } from './banner'
import { tierLabel } from './tier'
import { noStock, stockLabel } from './stock'

/** The SKU whose stock the host sees: the cue's, else the tier's, else the best seller's. */
export function focusSku(cue: ActiveCue | undefined, tier: Tier | null, m: Snapshot | null): string | null {
  if (cue?.cue.sku) return cue.cue.sku
  if (tier?.sku) return tier.sku
  const skus = Object.entries(m?.skus ?? {})
  if (skus.length === 0) return null
  skus.sort((a, b) => b[1].gmv - a[1].gmv || a[0].localeCompare(b[0]))
  return skus[0][0]
}

const CUE_KINDS = new Set(['card', 'countdown'])

/** A cue's kind for people: the known ones translated, others as the rule names them. */
export function cueKindLabel(kind: string | undefined): string {
  if (!kind) return ''
  return CUE_KINDS.has(kind) ? t(`cueKind.${kind}` as MsgKey) : kind
}

export function hostView(root: HTMLElement, room: string, transparent: boolean, resume: ResumeBook, onAuth: () => void, key = '') {
  // A host link (#/host?room=r1&key=…) signs the tablet in without a login.
  const session = new LiveSession({ rooms: [room], view: 'host', resume, render, onAuth, query: key ? { key } : undefined })
  const store = session.store
  const ban = banner(session)

  const cueText = h('div', { class: 'cue-text', testid: 'cue-text' })
  const cueTimer = h('div', { class: 'cue-timer', testid: 'cue-countdown' })
  const cueBar = h('div', { class: 'cue-bar' })
  const cueMeta = h('div', { class: 'cue-meta' })
  const cueHint = h('div', { class: 'cue-hint', text: t('host.ackHint') })
  // The OBS overlay (&transparent=1) is a picture, not a control: the cue
  // card is no button, and only the cue, its countdown and the tier show.
  const cueBox: HTMLElement = transparent
    ? h('div', { class: 'cue-current', testid: 'cue-current', attrs: { 'aria-live': 'assertive' } },
      cueText, h('div', 'cue-progress', cueBar), h('div', 'cue-row', cueTimer, cueMeta))
    : h('button', {
      class: 'cue-current', testid: 'cue-current', attrs: { type: 'button', 'aria-live': 'assertive' },
      on: { click: () => ackCurrent() },
    }, cueText, h('div', 'cue-progress', cueBar), h('div', 'cue-row', cueTimer, cueMeta), cueHint)

  const tierName = h('div', { class: 'tier-name', testid: 'tier-name' })
  const tierCoupon = h('div', { class: 'tier-coupon', testid: 'tier-coupon' })
  const tierBox = h('section', { class: 'host-panel tier', testid: 'tier-current', attrs: { 'aria-label': t('host.tier') } },
    h('div', { class: 'host-label', text: t('host.tier') }), tierCoupon, tierName)

  const stockTitle = h('div', { class: 'host-label', testid: 'stock-sku' })
  const stockValue = h('div', { class: 'stock-value', testid: 'stock-value' })
  const stockBox = h('section', { class: 'host-panel stock', testid: 'stock-current' }, stockTitle, stockValue)

  const nextList = h('ol', { class: 'next-list', testid: 'cue-queue' })
  const nextBox = h('section', { class: 'host-panel next', attrs: { 'aria-label': t('host.next') } },
    h('div', { class: 'host-label', text: t('host.next') }), nextList)

  const missedList = h('ul', { class: 'missed-list' })
  const missedBox = h('section', { class: 'host-panel missed', testid: 'cue-missed', attrs: { 'aria-label': t('host.missed') } },
    h('div', 'host-label', t('host.missed'),
      h('button', { class: 'btn btn-small', testid: 'cue-missed-dismiss', text: t('host.dismiss'), attrs: { type: 'button' }, on: { click: dismissMissed } })),
    missedList)

  const fsBtn = h('button', {
    class: 'btn btn-small host-fs', testid: 'host-fullscreen', text: t('host.fullscreen'), attrs: { type: 'button' },
    on: { click: () => void document.documentElement.requestFullscreen?.().catch(() => {}) },
  })

  document.body.classList.add('host-mode')
  document.body.classList.toggle('transparent', transparent)
  document.documentElement.classList.toggle('transparent', transparent)
  if (transparent) root.replaceChildren(h('div', { class: 'host overlay', testid: 'host-view' }, cueBox, tierBox))
  else root.replaceChildren(ban.el, h('div', { class: 'host', testid: 'host-view' }, cueBox, h('div', 'host-side', tierBox, stockBox, nextBox, missedBox), fsBtn))

  /** The cues to show: none that promotes a product with nothing left to sell. */
  function queue(): ActiveCue[] {
    const st = store.rooms.get(room)
    if (!st) return []
    return cueQueue(st).filter((c) => !c.cue.sku || !noStock(st.metrics?.skus?.[c.cue.sku]))
  }

  function current(): ActiveCue | undefined {
    return queue()[0]
  }

  function ackCurrent(): void {
    const c = current()
    if (!c) return
    cueBox.classList.add('acking')
    session.ack(room, c.key)
  }

  function dismissMissed(): void {
    const st = store.rooms.get(room)
    if (!st) return
    st.missed = []
    session.mark('cues')
  }

  function onKey(e: KeyboardEvent): void {
    if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, button, a')) return
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault()
      ackCurrent()
    }
  }
  document.addEventListener('keydown', onKey)

  function renderCue(): void {
    const st = store.rooms.get(room)
    const c = current()
    cueBox.classList.remove('acking')
    cueBox.dataset.state = c ? (c.cue.needs_ack ? 'needs-ack' : 'active') : 'empty'
    if (cueBox instanceof HTMLButtonElement) cueBox.disabled = !c
    setText(cueText, c ? c.cue.text : transparent ? '' : t('host.noCue'))
    setText(cueMeta, c ? [cueKindLabel(c.cue.kind), t('host.priority', { p: c.cue.priority })].filter(Boolean).join(' · ') : '')
    cueHint.hidden = !c
    renderCountdown()
    const rest = queue().slice(1, 6)
    syncList(nextList, rest, (x) => x.key, (x) => h('li', { class: 'next-item', testid: 'cue-next', text: x.cue.text }))
    const missed = st?.missed ?? []
    missedBox.hidden = missed.length === 0
    syncList(missedList, [...missed].reverse(), (x) => x.key, (x) => h('li', { class: 'missed-item', text: x.cue.text }))
  }

  function renderCountdown(): void {
    const c = current()
    const left = c ? cueRemaining(c, store.serverNow()) : null
    setText(cueTimer, left === null ? '' : countdown(left))
    const ttl = c?.cue.ttl_ms ?? 0
    cueBar.style.width = left === null || ttl <= 0 ? '0%' : `${Math.min(100, (left / ttl) * 100).toFixed(1)}%`
    cueBox.classList.toggle('urgent', left !== null && left < 10_000)
  }

  function renderSide(): void {
    const st = store.rooms.get(room)
    const tier = st?.tier ?? null
    setText(tierCoupon, tier ? tier.coupon || tierLabel(tier) || tier.name : t('host.noTier'))
    setText(tierName, tier && tier.coupon ? tierLabel(tier) : '')
    tierBox.dataset.active = String(!!tier)
    const sku = focusSku(current(), tier, st?.metrics ?? null)
    const stock = stockLabel(sku ? st?.metrics?.skus?.[sku] : undefined)
    setText(stockTitle, t('host.stock', { sku: sku ?? '' }))
    setText(stockValue, stock.text)
    stockBox.dataset.stock = stock.state
    stockBox.classList.toggle('low', stock.state !== 'ok')
  }

  function render(parts: ReadonlySet<Part>): void {
    ban.render()
    if (parts.has('cues')) renderCue()
    else if (parts.has('tick')) renderCountdown()
    if (parts.has('tier') || parts.has('metrics') || parts.has('cues')) renderSide()
  }

  session.start()
  return {
    destroy(): void {
      session.stop()
      document.removeEventListener('keydown', onKey)
      document.body.classList.remove('host-mode', 'transparent')
      document.documentElement.classList.remove('transparent')
    },
  }
}
