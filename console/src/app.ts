// The app shell: header with navigation and the language switch, the hash
// router that mounts one view at a time, and the login hook for 401s and
// websocket close 4001.

import { loadSession, myRole, setUnauthorizedHook } from './api'
import { h, replace } from './dom'
import { lang, onLang, setLang, t, type Lang, type MsgKey } from './i18n'
import { href, parseRoute, type Route, type RouteName } from './router'
import { reviewView } from './review/view'
import { ResumeBook } from './state/streamid'
import { forbiddenPage, mayOpen } from './views/forbidden'
import { hostView } from './views/host'
import { loginDialog } from './views/login'
import { operatorView } from './views/operator'
import { roomsView } from './views/rooms'
import { wallView } from './views/wall'

/** The per-room views in the navigation, in order, with their labels. */
const ROOM_VIEWS: readonly [RouteName, MsgKey][] = [
  ['operator', 'nav.operator'], ['host', 'nav.host'], ['producer', 'nav.producer'], ['review', 'nav.review'], ['connectors', 'nav.connectors'],
]

/** What a refused view says. */
const FORBIDDEN: Partial<Record<RouteName, MsgKey>> = {
  operator: 'view.forbiddenOperator', wall: 'view.forbiddenOperator', producer: 'rules.forbidden', review: 'review.forbidden', connectors: 'cx.forbidden',
}

interface Mounted {
  destroy(): void
}

export function startApp(container: HTMLElement): void {
  const resume = new ResumeBook(safeStorage(() => window.sessionStorage))
  const header = h('header', { class: 'topbar', testid: 'topbar' })
  const main = h('main', { class: 'page', testid: 'page', attrs: { id: 'main', tabindex: '-1' } })
  const skip = h('a', { class: 'skip', text: t('nav.skip'), attrs: { href: '#main' } })
  skip.addEventListener('click', (e) => {
    e.preventDefault()
    main.focus()
  })
  container.replaceChildren(skip, header, main)
  let mounted: Mounted | null = null
  let route: Route = parseRoute(location.hash)
  let login: ReturnType<typeof loginDialog> | null = null

  function showLogin(): void {
    if (login) return
    login = loginDialog(() => {
      login = null
      mount() // fresh view: reconnects the websocket and reloads data
    })
    document.body.appendChild(login.el)
    login.focus()
  }
  setUnauthorizedHook(showLogin)

  function renderHeader(): void {
    const rooms = route.rooms
    const link = (name: Route['name'], label: string) => {
      const a = h('a', { class: 'nav-link', testid: `nav-${name}`, text: label, attrs: { href: name === 'rooms' ? href('rooms') : href(name, rooms) } })
      if (route.name === name) a.setAttribute('aria-current', 'page')
      return a
    }
    const langSel = h('select', {
      class: 'input input-small', testid: 'lang-switch', attrs: { 'aria-label': t('nav.lang') },
      on: { change: (e) => setLang((e.target as HTMLSelectElement).value as Lang, safeStorage(() => window.localStorage)) },
    }, h('option', { text: '中文', attrs: { value: 'zh-CN', selected: lang() === 'zh-CN' } }),
      h('option', { text: 'English', attrs: { value: 'en', selected: lang() === 'en' } }))
    replace(header,
      h('a', { class: 'brand', text: 'LiveDeck', attrs: { href: '#/rooms' } }),
      h('nav', { class: 'nav', attrs: { 'aria-label': t('nav.main') } },
        link('rooms', t('nav.rooms')),
        // Only the doors this role may open.
        ...ROOM_VIEWS.filter(([name]) => rooms.length && mayOpen(name, myRole())).map(([name, key]) => link(name, t(key)))),
      h('span', { class: 'room-id', testid: 'current-room', text: rooms.join(', ') }),
      langSel)
  }

  function mount(): void {
    mounted?.destroy()
    mounted = null
    route = parseRoute(location.hash)
    document.documentElement.lang = lang()
    const transparent = route.name === 'host' && route.params.get('transparent') === '1'
    // The OBS overlay is a picture and the big screen a wall display: no
    // header, no skip link, nothing to press.
    const bare = transparent || (route.name === 'wall' && mayOpen('wall', myRole()))
    header.hidden = bare
    skip.hidden = bare
    skip.textContent = t('nav.skip')
    if (bare) header.replaceChildren()
    else renderHeader()
    const room = route.rooms[0]
    document.title = `${t('app.title')}${room ? ' · ' + route.rooms.join(', ') : ''}`
    if (!mayOpen(route.name, myRole())) {
      // A refused view says why in words and offers the way back, no empty skeleton.
      main.replaceChildren(forbiddenPage(t(FORBIDDEN[route.name] ?? 'error.forbidden', { room: room ?? '' })))
      return
    }
    switch (route.name) {
      case 'operator':
        mounted = operatorView(main, route.rooms, resume, showLogin)
        break
      case 'host':
        mounted = hostView(main, room, transparent, resume, showLogin, route.params.get('key') ?? '')
        break
      case 'producer':
        // The rule editor (and its YAML library) loads only when opened.
        mounted = lazy(() => import('./producer/view').then((m) => () => m.producerView(main, room, resume, showLogin)))
        break
      case 'review':
        mounted = reviewView(main, room, route.params)
        break
      case 'wall':
        mounted = wallView(main, route.rooms, resume, showLogin)
        break
      case 'connectors':
        mounted = lazy(() => import('./connectors/page').then((m) => () => m.connectorsView(main, room)))
        break
      default:
        mounted = roomsView(main)
    }
  }

  /** A view whose code loads when opened; never started if left before it loaded. */
  function lazy(load: () => Promise<() => Mounted>): Mounted {
    let view: Mounted | null = null
    let gone = false
    main.replaceChildren(h('p', { class: 'empty', text: t('common.loading') }))
    void load().then((start) => {
      if (!gone) view = start()
    })
    return { destroy: () => { gone = true; view?.destroy() } }
  }

  window.addEventListener('hashchange', mount)
  onLang(() => mount())
  // The CSRF token of an existing session, before any state-changing call.
  void loadSession().finally(mount)
}

function safeStorage(get: () => Storage): Storage | undefined {
  try {
    const s = get()
    s.getItem('x')
    return s
  } catch {
    return undefined
  }
}
