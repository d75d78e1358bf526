// What viewers said: top keywords, top questions (as written by anonymous
// viewers: shown as text, never markup) and the abuse counts.

import { h, replace } from '../dom'
import { int } from '../format'
import { t, type MsgKey } from '../i18n'
import type { Abuse, TextCount } from './shapes'
import { card } from './ui'

/** The most frequent texts first, at most limit, with each one's share of the top count (bar width). */
export function ranked(items: readonly TextCount[], limit: number): (TextCount & { share: number })[] {
  const top = [...items].filter((x) => x.count > 0).sort((a, b) => b.count - a.count || a.text.localeCompare(b.text)).slice(0, limit)
  const max = top[0]?.count ?? 0
  return top.map((x) => ({ ...x, share: max > 0 ? x.count / max : 0 }))
}

function countList(testid: string, title: MsgKey, empty: MsgKey, limit: number) {
  const list = h('ol', { class: 'count-list', testid: `${testid}-list` })
  const none = h('p', { class: 'empty', text: t(empty) })
  const el = card(t(title), testid, list, none)

  function render(items: readonly TextCount[]): void {
    const rows = ranked(items, limit)
    none.hidden = rows.length > 0
    replace(list, ...rows.map((r) => {
      const bar = h('span', { class: 'count-bar' })
      bar.style.width = `${(r.share * 100).toFixed(1)}%`
      return h('li', 'count-item', h('span', { class: 'count-text', text: r.text }), h('span', { class: 'count-n', text: int(r.count) }), bar)
    }))
  }

  return { el, render }
}

export function keywordList() {
  const list = countList('review-keywords', 'review.keywords', 'keywords.empty', 20)
  return { el: list.el, render: (words: readonly { word: string; count: number }[]) => list.render(words.map((w) => ({ text: w.word, count: w.count }))) }
}

export function questionList() {
  return countList('review-questions', 'review.questions', 'review.noQuestions', 15)
}

const ABUSE: { key: keyof Abuse; label: MsgKey }[] = [
  { key: 'comments', label: 'review.abuseComments' },
  { key: 'users', label: 'review.abuseUsers' },
  { key: 'peak_per_min', label: 'review.abusePeak' },
]

export function abuseCard() {
  const values = ABUSE.map((a) => ({ ...a, el: h('dd', { class: 'stat-value', testid: `review-abuse-${a.key}` }) }))
  const el = card(t('review.abuse'), 'review-abuse',
    h('dl', 'stats', ...values.flatMap((v) => [h('dt', { class: 'muted', text: t(v.label) }), v.el])))

  function render(a: Abuse): void {
    for (const v of values) v.el.textContent = int(a[v.key])
  }

  return { el, render }
}
