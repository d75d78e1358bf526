// The operator dashboard for one or more rooms: KPI cards, live charts,
// funnel, products, comments, keywords, ingest sources and alerts of the
// focused room, and a tab per room with its headline numbers. Numbers a
// silent source feeds are marked stale, re-checked on every tick.

import { api, myRole, roomPath } from '../api'
import { connectorsApi } from '../connectors/api'
import type { Connector } from '../connectors/model'
import { Poller } from '../connectors/poll'
import { h, setAttrs, setText } from '../dom'
import { intFit, moneyFit, moneyShort } from '../format'
import { lang, t } from '../i18n'
import { href } from '../router'
import { LiveSession } from '../session'
import { freshness, staleKpis, type Freshness } from '../state/freshness'
import type { Part } from '../state/frame'
import type { ResumeBook } from '../state/streamid'
import { alertList } from './alerts'
import { banner } from './banner'
import { liveChart } from './chart'
import { commentFeed } from './comments'
import { funnel } from './funnel'
import { giftPanel } from './gifts'
import { keywordCloud } from './keywords'
import { KPI_IDS, kpiCards } from './kpis'
import { skuTable } from './skus'
import { sourcesPanel, staleText } from './sources'

/** The part of GET /rooms/:room the dashboard reads: product names by SKU. */
interface RoomInfo {
  products?: { sku: string; name?: string }[]
}

interface SeriesResponse {
  metric: string
  step: string
  points: [number, number][]
}

/** Roles that may read a room's connectors (GET …/connectors is staff only). */
const CONNECTOR_READERS: ReadonlySet<string> = new Set(['admin', 'producer', 'operator'])

const HISTORY = [
  { chart: 'online', metric: 'online', step: '1s', backMs: 30 * 60_000 },
  { chart: 'gmv', metric: 'gmv', step: '1m', backMs: 12 * 3_600_000 },
  { chart: 'comments', metric: 'comments', step: '1m', backMs: 12 * 3_600_000 },
  { chart: 'spend', metric: 'spend', step: '1m', backMs: 12 * 3_600_000 },
] as const

const short = (v: number): string => moneyShort(v, '¥', 2, lang())

export function operatorView(root: HTMLElement, rooms: string[], resume: ResumeBook, onAuth: () => void) {
  let focus = rooms[0]
  const session: LiveSession = new LiveSession({ rooms, view: 'operator', resume, render, onAuth })
  const store = session.store
  const ban = banner(session)
  const kpis = kpiCards()
  const charts = {
    // Axes as long as the data (a few minutes at least), not a mostly empty half hour.
    online: liveChart({ testid: 'chart-online', label: t('chart.online'), color: '#4cc9f0', format: (v) => intFit(v, lang()).text, minSpanSec: 60 }),
    gmv: liveChart({ testid: 'chart-gmv', label: t('chart.gmv'), color: '#f9c74f', bars: true, format: short, minSpanSec: 300, stepSec: 60, yFloor: 100_00 }),
    comments: liveChart({ testid: 'chart-comments', label: t('chart.comments'), color: '#90be6d', bars: true, minSpanSec: 300, stepSec: 60 }),
    spendGmv: liveChart({ testid: 'chart-spend-gmv', label: t('chart.spendGmv'), color: '#f3722c', bars: true,
      second: { label: t('chart.gmv'), color: '#f9c74f' }, format: short, minSpanSec: 300, stepSec: 60, yFloor: 100_00 }),
  }
  const fun = funnel()
  const skus = skuTable()
  const feed = commentFeed(() => session.mark('comments'))
  const cloud = keywordCloud()
  const alerts = alertList((key) => session.ack(focus, key))
  const sources = sourcesPanel()
  const gifts = giftPanel()
  const loadedFor = new Map<string, number>()
  // The focused room's connectors (platform, rate, signature failures,
  // unmapped messages), polled every 5 s by the roles that may read them;
  // null until known, and for everyone else the panel shows the snapshot.
  let connectors: { room: string; list: Connector[] } | null = null
  const connectorPoll = CONNECTOR_READERS.has(myRole())
    ? new Poller({
      load: async (signal) => { const room = focus; return { room, list: await connectorsApi.list(room, signal) } },
      onData: (v) => { connectors = v; session.mark('tick') },
      onError: (e, stopped) => {
        if (stopped) connectors = null
        console.warn('livedeck: connectors:', (e as Error).message)
      },
      visible: () => !document.hidden,
    })
    : null

  const tabs = rooms.map((r) => {
    const stats = h('span', { class: 'tab-stats' })
    const stale = h('span', { class: 'badge stale-badge', testid: `room-tab-stale-${r}`, text: t('fresh.stale') })
    stale.hidden = true
    const b = h('button', {
      class: 'tab', testid: `room-tab-${r}`, attrs: { type: 'button', role: 'tab' },
      on: { click: () => setFocus(r) },
    }, h('span', { class: 'tab-name', text: r }), stats, stale)
    return { r, b, stats, stale }
  })
  const tabBar = h('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': t('overview.tabs') } }, ...tabs.map((x) => x.b))
  tabBar.hidden = rooms.length < 2
  // The focused room's post-broadcast review.
  const reviewLink = h('a', { class: 'btn btn-small', testid: 'operator-review-link', text: t('nav.review') })
  // The big screen of the same rooms, for a wall display.
  const wallLink = h('a', { class: 'btn btn-small', testid: 'operator-wall-link', text: t('nav.wall'), attrs: { href: href('wall', rooms) } })
  const showReviewLink = () => setAttrs(reviewLink, { href: href('review', [focus]), title: `${t('nav.review')} · ${focus}` })
  showReviewLink()

  root.replaceChildren(
    ban.el,
    h('div', { class: 'operator', testid: 'operator-view' },
      h('div', 'operator-bar', tabBar, h('div', 'operator-links', wallLink, reviewLink)),
      kpis.el,
      h('div', 'grid charts', charts.online.el, charts.gmv.el, charts.comments.el, charts.spendGmv.el),
      // The product table across the page: nine columns and the names need the width.
      h('div', 'operator-skus', skus.el),
      h('div', 'grid main',
        h('div', 'col', fun.el, cloud.el),
        h('div', 'col', feed.el),
        h('div', 'col', sources.el, alerts.el, gifts.el))))

  function setFocus(r: string): void {
    focus = r
    connectorPoll?.now()
    showReviewLink()
    session.mark('metrics', 'comments', 'alerts', 'tier', 'rooms')
    void loadHistory(r)
    void loadNames(r)
    gifts.load(r)
  }

  /** The focused room's product names for the product table. */
  async function loadNames(r: string): Promise<void> {
    try {
      const info = await api.get<RoomInfo>(roomPath(r))
      if (r !== focus) return
      skus.setNames(new Map((info?.products ?? []).filter((p) => p.name).map((p) => [p.sku, p.name!])))
    } catch (e) {
      // Names are a nicety: the table shows SKUs without them.
      console.warn(`livedeck: products of ${r}:`, (e as Error).message)
    }
  }

  async function loadHistory(r: string): Promise<void> {
    const st = store.rooms.get(r)
    if (!st) return
    loadedFor.set(r, store.snapshots.get(r) ?? 0)
    const now = store.serverNow()
    await Promise.all(HISTORY.map(async (hd) => {
      try {
        const q = `metric=${hd.metric}&step=${hd.step}&since=${now - hd.backMs}`
        const res = await api.get<SeriesResponse>(`${roomPath(r)}/series?${q}`)
        if (Array.isArray(res?.points)) st.charts[hd.chart].load(res.points)
        session.mark('metrics')
      } catch (e) {
        // History is a nicety: live points still draw.
        console.warn(`livedeck: ${hd.metric} history for ${r}:`, (e as Error).message)
      }
    }))
  }

  function roomFreshness(r: string): Freshness {
    const st = store.rooms.get(r)
    return freshness(st?.metrics, st?.metricsAt ?? 0, store.now())
  }

  /** Ages tick and stale marks come and go between snapshots: runs on every tick too. */
  function renderFreshness(): void {
    const f = roomFreshness(focus)
    const hint = (online: boolean) => t(online && !f.all.stale ? 'fresh.onlineHint' : 'fresh.allHint', { s: f.staleAfter })
    sources.render(f, connectors?.room === focus ? connectors.list : null, store.serverNow())
    kpis.mark(staleKpis(f, KPI_IDS), (id) => hint(id === 'online'))
    charts.online.stale(f.online.stale ? staleText(f.online.since) : null, hint(true))
    for (const c of [charts.gmv, charts.comments, charts.spendGmv]) c.stale(f.all.stale ? staleText(f.all.since) : null, hint(false))
    for (const tab of tabs) {
      const on = tab.r === focus ? f.online : roomFreshness(tab.r).online
      tab.b.dataset.stale = on.stale ? '1' : '0'
      tab.stale.hidden = !on.stale
      tab.stale.title = on.stale ? staleText(on.since) : ''
    }
  }

  function render(parts: ReadonlySet<Part>): void {
    ban.render()
    const st = store.rooms.get(focus)
    if (!st) return
    // A new snapshot (first connect or a reconnect): reload the charts' past.
    if ((store.snapshots.get(focus) ?? 0) !== (loadedFor.get(focus) ?? 0)) void loadHistory(focus)
    if (parts.has('metrics') || parts.has('rooms')) {
      kpis.render(st.metrics, store.trends.get(focus))
      charts.online.render(st.charts.online)
      charts.gmv.render(st.charts.gmv)
      charts.comments.render(st.charts.comments)
      charts.spendGmv.render(st.charts.spend, st.charts.gmv)
      fun.render(st.metrics?.funnel)
      skus.render(st.metrics?.skus, st.tier)
      cloud.render(st.metrics?.keywords)
      for (const tab of tabs) {
        const m = store.rooms.get(tab.r)?.metrics
        tab.b.setAttribute('aria-selected', String(tab.r === focus))
        setText(tab.stats, m ? `${intFit(m.online, lang()).text} · ${moneyFit(m.gmv, lang()).text}` : '')
      }
    }
    if (parts.has('metrics') || parts.has('rooms') || parts.has('tick')) renderFreshness()
    if (parts.has('tier')) skus.render(st.metrics?.skus, st.tier)
    if (parts.has('comments') || parts.has('rooms')) feed.render(st.comments)
    if (parts.has('alerts') || parts.has('rooms')) alerts.render(st.alerts)
    if (parts.has('gifts') || parts.has('rooms')) gifts.load(focus)
  }

  gifts.load(focus)
  void loadNames(focus)
  session.start()
  connectorPoll?.start()
  return {
    destroy(): void {
      session.stop()
      connectorPoll?.stop()
      for (const c of Object.values(charts)) c.destroy()
    },
  }
}
