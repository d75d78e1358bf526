// The post-broadcast review (复盘) of one room, optionally beside an earlier
// one: headline cards, the timeline with its markers, results per tier and
// product, the funnel, what viewers said and how the cues worked. The root
// (data-testid="review-view") carries data-state loading | ready | error and
// data-ready="1" once a review is on screen.

import { h } from '../dom'
import { t } from '../i18n'
import { href } from '../router'
import { funnel } from '../views/funnel'
import { endBroadcast } from './close'
import { comparisonCard } from './comparison'
import { cueTable } from './cues'
import { reviewHeader } from './header'
import { headlineCards } from './headline'
import { loadReview, mayClose, otherRooms, problemOf } from './load'
import { markerList } from './markerList'
import { currencyOf, moneyIn } from './numbers'
import { DEFAULT_WINDOW, reviewQuery, routeExtra, type ReviewQuery } from './query'
import type { Review } from './shapes'
import { reviewSkuTable } from './skus'
import { abuseCard, keywordList, questionList } from './talk'
import { tierTable } from './tiers'
import { channelTable } from './channels'
import { timelineChart } from './timeline'

export function reviewView(root: HTMLElement, room: string, params: URLSearchParams) {
  let q: ReviewQuery = reviewQuery(room, params)
  let ctl: AbortController | null = null
  let canClose = false
  let shown: Review | null = null

  const end = endBroadcast(room, (r) => {
    show(r)
    comparison.update(r)
    // The close answers with the default cue window: fetch the one on screen.
    if ((r.window_min || DEFAULT_WINDOW) !== q.window) void load()
  })
  const head = reviewHeader(room, () => void load(), end.el)
  const cards = headlineCards()
  const chart = timelineChart()
  const marks = markerList()
  const tiers = tierTable()
  const channels = channelTable()
  const fun = funnel()
  const skus = reviewSkuTable()
  const cues = cueTable((n) => {
    q = { ...q, window: n }
    history.replaceState(null, '', href('review', [room], routeExtra(q)))
    void load()
  })
  const words = keywordList()
  const questions = questionList()
  const abuse = abuseCard()
  const comparison = comparisonCard()

  const problem = h('p', { class: 'error', testid: 'review-error-text', attrs: { role: 'alert' } })
  const retry = h('button', { class: 'btn', testid: 'review-retry', text: t('common.retry'), attrs: { type: 'button' }, on: { click: () => void load() } })
  const back = h('a', { class: 'btn', text: t('nav.rooms'), attrs: { href: href('rooms') } })
  const errorBox = h('div', { class: 'card review-error', testid: 'review-error' }, problem, h('div', 'toolbar', retry, back))
  errorBox.hidden = true
  const content = h('div', { class: 'review-body', testid: 'review-content' },
    comparison.el,
    cards.el,
    chart.el,
    marks.el,
    h('div', 'grid review-pair', tiers.el, fun.el),
    channels.el,
    skus.el,
    cues.el,
    h('div', 'grid review-talk', words.el, questions.el, abuse.el))
  content.hidden = true
  const el = h('div', { class: 'review', testid: 'review-view', attrs: { 'data-state': 'loading', 'aria-busy': 'true' } },
    head.el, errorBox, content)
  root.replaceChildren(el)

  function show(r: Review): void {
    shown = r
    const m = moneyIn(currencyOf(r.currency))
    head.render(r)
    cards.render(r, m)
    chart.render(r, m)
    marks.render(r.markers)
    tiers.render(r.tiers, m)
    channels.render(r.channels, m)
    fun.render(r.funnel)
    skus.render(r.skus, m)
    cues.render(r.cues, r.window_min || q.window, m)
    words.render(r.keywords)
    questions.render(r.questions)
    abuse.render(r.abuse)
    end.render(r.status === 'live', canClose)
    content.hidden = false
    errorBox.hidden = true
  }

  function fail(e: unknown): void {
    const p = problemOf(e, room)
    problem.textContent = p.message
    retry.hidden = !p.retry
    errorBox.hidden = false
    // A failed reload keeps the review on screen, with the error above it.
    content.hidden = !shown
  }

  async function load(): Promise<void> {
    ctl?.abort()
    const mine = new AbortController()
    ctl = mine
    el.dataset.state = 'loading'
    el.setAttribute('aria-busy', 'true')
    el.removeAttribute('data-ready')
    head.setQuery(q)
    cues.busy(true)
    try {
      const got = await loadReview(q, mine.signal)
      if (mine.signal.aborted) return
      show(got.review)
      head.setDownloads(got.comparison !== null)
      if (got.comparison) comparison.render(got.comparison)
      else if (got.compareError) comparison.failed(q.compare, got.compareError.message)
      else comparison.clear()
      el.dataset.state = 'ready'
      el.dataset.ready = '1'
    } catch (e) {
      if (mine.signal.aborted || (e as Error)?.name === 'AbortError') return
      fail(e)
      el.dataset.state = 'error'
    } finally {
      if (ctl === mine) {
        el.setAttribute('aria-busy', 'false')
        cues.busy(false)
      }
    }
  }

  void load()
  void otherRooms(room).then((list) => head.setRooms(list))
  void mayClose().then((ok) => {
    canClose = ok
    if (shown) end.render(shown.status === 'live', canClose)
  })

  return {
    destroy(): void {
      ctl?.abort()
      chart.destroy()
    },
  }
}
