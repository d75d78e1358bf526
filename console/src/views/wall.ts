// The big screen (大屏) for a wall display: 1920×1080, no navigation and
// nothing to press, numbers large enough to read across a room. One column
// per room (up to four): its title, GMV, online, paid orders and
// conversion, the price tier and the cue the host has now, and the online
// and GMV-per-minute charts. Opened from the dashboard's "Big screen" link
// (#/wall?rooms=a,b).

import { api, roomPath } from '../api'
import { h, setText } from '../dom'
import { clock, countdown, intFit, moneyFit, moneyShort, ratio } from '../format'
import { lang, t, type MsgKey } from '../i18n'
import type { Snapshot } from '../protocol'
import { LiveSession } from '../session'
import type { Part } from '../state/frame'
import { cueQueue, cueRemaining } from '../state/room'
import type { ResumeBook } from '../state/streamid'
import { banner } from './banner'
import { liveChart } from './chart'
import { tierLabel } from './tier'

/** Rooms side by side at most: more would not be readable across a room. */
export const WALL_ROOMS = 4

interface Big {
  id: string
  label: MsgKey
  value: (m: Snapshot) => { text: string; full: string }
}

const BIG: Big[] = [
  { id: 'gmv', label: 'kpi.gmv', value: (m) => moneyFit(m.gmv, lang()) },
  { id: 'online', label: 'kpi.online', value: (m) => intFit(m.online, lang()) },
  { id: 'orders', label: 'kpi.orders', value: (m) => intFit(m.orders_paid, lang()) },
  { id: 'conversion', label: 'kpi.conversion', value: (m) => { const r = ratio(m.conversion, 1); return { text: r, full: ratio(m.conversion) } } },
]

function roomColumn(room: string) {
  const title = h('h2', { class: 'wall-title', testid: `wall-title-${room}`, text: room })
  const kpis = BIG.map((k) => {
    const value = h('div', { class: 'wall-value', testid: `wall-${k.id}-${room}`, text: '–' })
    return { k, value, el: h('div', { class: 'wall-kpi', testid: `wall-kpi-${k.id}-${room}` }, h('div', { class: 'wall-label', text: t(k.label) }), value) }
  })
  const tier = h('div', { class: 'wall-tier-text', testid: `wall-tier-${room}` })
  const cue = h('div', { class: 'wall-cue-text', testid: `wall-cue-${room}` })
  const cueLeft = h('div', { class: 'wall-cue-left', testid: `wall-cue-left-${room}` })
  const online = liveChart({ testid: `wall-chart-online-${room}`, label: t('chart.online'), color: '#4cc9f0', format: (v) => intFit(v, lang()).text, minSpanSec: 60, height: 290 })
  const gmv = liveChart({ testid: `wall-chart-gmv-${room}`, label: t('chart.gmv'), color: '#f9c74f', bars: true,
    format: (v) => moneyShort(v, '¥', 2, lang()), minSpanSec: 300, stepSec: 60, yFloor: 100_00, height: 290 })
  const el = h('section', { class: 'wall-room', testid: `wall-room-${room}`, attrs: { 'aria-label': room } },
    title,
    h('div', 'wall-kpis', ...kpis.map((x) => x.el)),
    h('div', 'wall-now',
      h('div', { class: 'wall-box wall-tier', testid: `wall-tier-box-${room}` }, h('div', { class: 'wall-label', text: t('host.tier') }), tier),
      h('div', { class: 'wall-box wall-cue', testid: `wall-cue-box-${room}` }, h('div', { class: 'wall-label', text: t('wall.cue') }), cue, cueLeft)),
    h('div', 'wall-charts', online.el, gmv.el))
  return { room, el, title, kpis, tier, cue, cueLeft, online, gmv }
}

export function wallView(root: HTMLElement, rooms: string[], resume: ResumeBook, onAuth: () => void) {
  const shown = rooms.slice(0, WALL_ROOMS)
  const session: LiveSession = new LiveSession({ rooms: shown, view: 'operator', resume, render, onAuth })
  const store = session.store
  const ban = banner(session)
  const cols = shown.map(roomColumn)
  const now = h('div', { class: 'wall-clock', testid: 'wall-clock' })
  document.body.classList.add('wall-mode')
  root.replaceChildren(h('div', { class: 'wall', testid: 'wall-view', attrs: { 'data-rooms': String(cols.length) } },
    h('header', 'wall-head', h('div', { class: 'wall-brand', text: 'LiveDeck' }), ban.el, now),
    h('div', 'wall-rooms', ...cols.map((c) => c.el))))

  // The charts' past, as the dashboard loads it.
  for (const c of cols) {
    const st = store.rooms.get(c.room)
    const since = Date.now()
    for (const [chart, metric, step, backMs] of [['online', 'online', '1s', 30 * 60_000], ['gmv', 'gmv', '1m', 12 * 3_600_000]] as const) {
      void api.get<{ points?: [number, number][] }>(`${roomPath(c.room)}/series?metric=${metric}&step=${step}&since=${since - backMs}`)
        .then((res) => { if (st && Array.isArray(res?.points)) { st.charts[chart].load(res.points); session.mark('metrics') } })
        .catch(() => { /* live points still draw */ })
    }
  }

  // Room titles (the room's own name) once known; the id until then.
  for (const c of cols) {
    void api.get<{ title?: string }>(roomPath(c.room)).then((r) => {
      if (r?.title) {
        setText(c.title, r.title)
        c.title.title = c.room
      }
    }).catch(() => { /* the id stays */ })
  }

  function renderNow(c: ReturnType<typeof roomColumn>): void {
    const st = store.rooms.get(c.room)
    const tier = st?.tier ?? null
    setText(c.tier, tier ? tier.coupon || tierLabel(tier) || tier.name : t('sku.regular'))
    c.tier.dataset.active = String(!!tier)
    const cue = st ? cueQueue(st)[0] : undefined
    setText(c.cue, cue ? cue.cue.text : t('host.noCue'))
    c.cue.dataset.active = String(!!cue)
    const left = cue ? cueRemaining(cue, store.serverNow()) : null
    setText(c.cueLeft, left === null ? '' : countdown(left))
  }

  function render(parts: ReadonlySet<Part>): void {
    ban.render()
    setText(now, clock(Date.now()))
    for (const c of cols) {
      const st = store.rooms.get(c.room)
      if (!st) continue
      if (parts.has('metrics') || parts.has('rooms')) {
        for (const k of c.kpis) {
          const v = st.metrics ? k.k.value(st.metrics) : { text: '–', full: '' }
          setText(k.value, v.text)
          k.value.title = v.full
        }
        c.online.render(st.charts.online)
        c.gmv.render(st.charts.gmv)
      }
      if (parts.has('cues') || parts.has('tier') || parts.has('tick')) renderNow(c)
    }
  }

  session.start()
  return {
    destroy(): void {
      session.stop()
      for (const c of cols) {
        c.online.destroy()
        c.gmv.destroy()
      }
      document.body.classList.remove('wall-mode')
    },
  }
}
