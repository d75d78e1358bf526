// Keyword cloud: the top words of the last five minutes as text sized by
// frequency (log scale). Plain DOM text rather than a canvas word-cloud
// library: a few hundred bytes instead of a few hundred kilobytes, readable
// by screen readers, and words stay real text.

import { h, replace } from '../dom'
import { t } from '../i18n'
import type { KeywordCount } from '../protocol'

export interface CloudWord {
  word: string
  count: number
  /** Font size in rem. */
  size: number
  /** 0..4 weight bucket for colour. */
  level: number
}

/** Sizes words between min and max rem by log(count); at most limit words, sorted for a stable layout. */
export function cloudLayout(words: readonly KeywordCount[] | undefined, limit = 40, min = 0.8, max = 2.4): CloudWord[] {
  const top = [...(words ?? [])].filter((w) => w.word && w.count > 0).sort((a, b) => b.count - a.count).slice(0, limit)
  if (top.length === 0) return []
  const lo = Math.log(top[top.length - 1].count)
  const hi = Math.log(top[0].count)
  const span = hi - lo || 1
  return top
    .map((w) => {
      const k = hi === lo ? 1 : (Math.log(w.count) - lo) / span
      return { word: w.word, count: w.count, size: +(min + k * (max - min)).toFixed(2), level: Math.min(4, Math.floor(k * 5)) }
    })
    .sort((a, b) => a.word.localeCompare(b.word))
}

export function keywordCloud() {
  const box = h('div', { class: 'cloud', testid: 'keyword-cloud' })
  const el = h('section', { class: 'card', attrs: { 'aria-label': t('keywords.title') } },
    h('h3', { class: 'card-title', text: t('keywords.title') }), box)
  let last = ''

  function render(words: readonly KeywordCount[] | undefined): void {
    const layout = cloudLayout(words)
    const sig = layout.map((w) => `${w.word}:${w.count}`).join('|')
    if (sig === last) return
    last = sig
    if (layout.length === 0) {
      replace(box, h('p', { class: 'empty', text: t('keywords.empty') }))
      return
    }
    replace(box, ...layout.map((w) => {
      const s = h('span', { class: `cloud-word lvl-${w.level}`, text: w.word, attrs: { title: String(w.count) } })
      s.style.fontSize = `${w.size}rem`
      return s
    }))
  }

  return { el, render }
}
