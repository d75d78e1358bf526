// The multi-room overview: every room with its headline numbers (polled
// from GET /api/v1/rooms every few seconds), links to each view, and a
// multi-select that opens one dashboard over several rooms. An online count
// the server marks stale (no viewers event for a while) says so.

import { api, ApiError, myRole } from '../api'
import { h, replace, setText, syncList } from '../dom'
import { int, money, ratio } from '../format'
import { t, type MsgKey } from '../i18n'
import { href, type RouteName } from '../router'
import { mayOpen } from './forbidden'
import { staleText } from './sources'

export interface RoomSummary {
  id: string
  title: string
  status: string
  metrics: {
    online: number; uv: number; gmv: number; orders_paid: number; conversion: number
    /** From servers that report freshness in the overview. */
    online_stale?: boolean
    viewers_age_seconds?: number
  }
}

/** Whether the row's online count is stale, and since when (ms on the clock now came from; null: unknown). */
export function overviewOnline(m: RoomSummary['metrics'] | undefined, now: number): { stale: boolean; since: number | null } {
  if (!m?.online_stale) return { stale: false, since: null }
  const age = m.viewers_age_seconds
  return { stale: true, since: typeof age === 'number' && age >= 0 ? Math.round(now - age * 1000) : null }
}

/** A room's status in the page's language ("live" → 直播中); an unknown one as sent. */
export function statusLabel(status: string | undefined): string {
  const s = status || 'live' // the server's default
  return s === 'live' || s === 'closed' ? t(`room.status.${s}`) : s
}

const LINKS: readonly [RouteName, MsgKey][] = [['operator', 'nav.operator'], ['host', 'nav.host'], ['producer', 'nav.producer'], ['review', 'nav.review'], ['connectors', 'nav.connectors']]

/** A room's view links, only those the role may open, separated by dots. */
export function roomLinks(id: string, role: string): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = []
  for (const [name, key] of LINKS) {
    if (!mayOpen(name, role)) continue
    if (out.length) out.push(' · ')
    out.push(h('a', { testid: `room-${name}-${id}`, text: t(key), attrs: { href: href(name, [id]) } }))
  }
  return out
}

export function roomsView(root: HTMLElement, pollMs = 5000) {
  const selected = new Set<string>()
  const body = h('tbody')
  const status = h('p', { class: 'empty', testid: 'rooms-status', text: t('common.loading') })
  const open = h('a', { class: 'btn', testid: 'rooms-open-selected', text: t('overview.openSelected'), attrs: { href: '#/rooms' } })
  const cols = ['overview.select', 'overview.id', 'overview.titleCol', 'overview.status', 'kpi.online', 'kpi.uv', 'kpi.gmv', 'kpi.orders', 'kpi.conversion', 'overview.links'] as const
  root.replaceChildren(h('div', { class: 'rooms-page', testid: 'rooms-view' },
    h('div', 'card-head', h('h2', { class: 'page-title', text: t('overview.title') }), open),
    h('div', 'card table-wrap', h('table', { class: 'table', testid: 'rooms-table' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: t(c), attrs: { scope: 'col' } })))), body)),
    status))
  updateOpen()

  function updateOpen(): void {
    const ids = [...selected]
    open.setAttribute('href', ids.length ? href('operator', ids) : '#/rooms')
    open.setAttribute('aria-disabled', String(ids.length === 0))
  }

  function create(r: RoomSummary): HTMLElement {
    const box = h('input', {
      attrs: { type: 'checkbox', 'aria-label': `${t('overview.select')} ${r.id}` },
      on: { change: (e) => { if ((e.target as HTMLInputElement).checked) selected.add(r.id); else selected.delete(r.id); updateOpen() } },
    })
    return h('tr', { testid: `room-row-${r.id}` },
      h('td', {}, box),
      h('th', { attrs: { scope: 'row' } }, h('a', { text: r.id, attrs: { href: href('operator', [r.id]) } })),
      h('td'), h('td'),
      h('td', 'num', h('span', 'online-value'),
        h('span', { class: 'badge stale-badge', testid: `room-online-stale-${r.id}`, text: t('fresh.stale'), attrs: { hidden: true } })),
      h('td', 'num'), h('td', 'num'), h('td', 'num'), h('td', 'num'),
      h('td', 'links', ...roomLinks(r.id, myRole())))
  }

  function update(tr: HTMLElement, r: RoomSummary): void {
    const c = Array.from(tr.children) as HTMLElement[]
    const m = r.metrics ?? { online: 0, uv: 0, gmv: 0, orders_paid: 0, conversion: 0 }
    setText(c[2], r.title ?? '')
    setText(c[3], statusLabel(r.status))
    const [online, badge] = Array.from(c[4].children) as HTMLElement[]
    const fresh = overviewOnline(r.metrics, Date.now())
    setText(online, int(m.online))
    c[4].dataset.stale = fresh.stale ? '1' : '0'
    badge.hidden = !fresh.stale
    badge.title = fresh.stale ? staleText(fresh.since) : ''
    setText(c[5], int(m.uv))
    setText(c[6], money(m.gmv))
    setText(c[7], int(m.orders_paid))
    setText(c[8], ratio(m.conversion))
  }

  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  async function poll(): Promise<void> {
    try {
      const list = await api.get<RoomSummary[]>('/api/v1/rooms')
      const rooms = Array.isArray(list) ? list : []
      syncList(body, rooms, (r) => r.id, (r) => { const tr = create(r); update(tr, r); return tr }, update)
      status.hidden = rooms.length > 0
      setText(status, t('overview.empty'))
    } catch (e) {
      status.hidden = false
      replace(status, t('common.error', { message: (e as ApiError).message }))
    }
    if (!stopped) timer = setTimeout(poll, pollMs)
  }
  void poll()

  return {
    destroy(): void {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}
