// The review timeline: online viewers (line, left axis) and GMV per minute
// (bars, right axis) with a vertical line and a glyph per tier change, cue
// and alert, drawn on uPlot's canvas by a small plugin. Hovering names the
// minute, its numbers and the nearest marker in a caption below the chart.

import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { h } from '../dom'
import { clock, int, intFit } from '../format'
import { lang, t } from '../i18n'
import { axisWidth, timeTick } from '../views/chart'
import { chartMarks, KIND_LABEL, nearestMark, timelineColumns, timeSpan, type ChartMark } from './markers'
import type { MoneyFormat } from './numbers'
import type { Review } from './shapes'

const HEIGHT = 260
const LANE = 11 // CSS pixels per glyph row above the plot
const ONLINE = '#4cc9f0'
const GMV = '#f9c74f'
const AXIS = { stroke: '#9aa4b2', grid: { stroke: '#263041', width: 1 }, ticks: { stroke: '#263041' } }

function glyph(ctx: CanvasRenderingContext2D, m: ChartMark, x: number, y: number, r: number): void {
  ctx.beginPath()
  switch (m.glyph) {
    case 'square':
      ctx.rect(x - r, y - r, 2 * r, 2 * r)
      break
    case 'triangle':
      ctx.moveTo(x, y - r)
      ctx.lineTo(x + r, y + r)
      ctx.lineTo(x - r, y + r)
      ctx.closePath()
      break
    default:
      ctx.arc(x, y, m.glyph === 'dot' ? r / 2 : r, 0, 2 * Math.PI)
  }
  if (m.open) ctx.stroke()
  else ctx.fill()
}

/** The plugin drawing marks over the plot: a line through it and a glyph in the lane above it. */
function markPlugin(get: () => ChartMark[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const px = uPlot.pxRatio
        const { top, height } = u.bbox
        const ctx = u.ctx
        ctx.save()
        for (const m of get()) {
          const x = Math.round(u.valToPos(m.x, 'x', true))
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue
          ctx.strokeStyle = m.color
          ctx.fillStyle = m.color
          ctx.lineWidth = px * (m.open ? 1.5 : 1)
          ctx.globalAlpha = 0.75
          ctx.setLineDash(m.open ? [4 * px, 3 * px] : [])
          ctx.beginPath()
          ctx.moveTo(x, top)
          ctx.lineTo(x, top + height)
          ctx.stroke()
          ctx.globalAlpha = 1
          ctx.setLineDash([])
          glyph(ctx, m, x, top - (m.lane + 0.5) * LANE * px, 4 * px)
        }
        ctx.restore()
      },
    },
  }
}

export function timelineChart() {
  const box = h('div', { class: 'chart-box chart-tall' })
  const caption = h('p', { class: 'chart-caption muted', testid: 'review-chart-caption', text: t('review.hoverHint') })
  const legend = h('ul', { class: 'legend', attrs: { 'aria-label': t('review.legend') } },
    h('li', {}, h('span', { class: 'swatch lg-online' }), t('chart.online')),
    h('li', {}, h('span', { class: 'swatch lg-gmv' }), t('chart.gmv')),
    h('li', {}, h('span', { class: 'swatch mk-tier' }), t('review.kindTier')),
    h('li', {}, h('span', { class: 'swatch mk-cue' }), t('review.cueAcked')),
    h('li', {}, h('span', { class: 'swatch mk-cue-open' }), t('review.cueOpen')),
    h('li', {}, h('span', { class: 'swatch mk-alert-critical' }), t('severity.critical')),
    h('li', {}, h('span', { class: 'swatch mk-alert-warning' }), t('severity.warning')),
    h('li', {}, h('span', { class: 'swatch mk-alert-info' }), t('severity.info')))
  const empty = h('p', { class: 'empty', text: t('chart.empty') })
  const el = h('section', { class: 'card chart', testid: 'review-chart', attrs: { 'aria-label': t('review.timeline') } },
    h('h3', { class: 'card-title', text: t('review.timeline') }), box, caption, legend, empty)

  let plot: uPlot | null = null
  let review: Review | null = null
  let money: MoneyFormat | null = null
  let marks: ChartMark[] = []

  function make(width: number): uPlot {
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      padding: [3 * LANE + 4, 8, 0, 0],
      legend: { show: false },
      cursor: { y: false, points: { size: 6 } },
      scales: {
        x: { time: true, range: (_u, lo, hi) => (review && timeSpan(review)) || [lo, hi] },
        online: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        gmv: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { ...AXIS, space: 64, values: (_u, vals, _i, _space, incr) => vals.map((v) => timeTick(v, incr)) },
        { ...AXIS, scale: 'online', size: (_u, vals) => axisWidth(vals), values: (_u, vals) => vals.map((v) => intFit(v, lang()).text) },
        { ...AXIS, scale: 'gmv', side: 1, size: (_u, vals) => axisWidth(vals), grid: { show: false }, values: (_u, vals) => vals.map((v) => (money ? money.short(v) : int(v))) },
      ],
      series: [
        {},
        { label: t('chart.online'), scale: 'online', stroke: ONLINE, width: 2, points: { show: false } },
        { label: t('chart.gmv'), scale: 'gmv', stroke: GMV, fill: GMV + '55', width: 1, points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.8, 30], align: 1 }) },
      ],
      hooks: { setCursor: [(u) => hover(u)] },
      plugins: [markPlugin(() => marks)],
    }
    return new uPlot(opts, review ? timelineColumns(review.timeline) : [[], [], []], box)
  }

  function hover(u: uPlot): void {
    const idx = u.cursor.idx
    const left = u.cursor.left ?? -1
    if (!review || idx === null || idx === undefined || left < 0) return
    const minute = review.timeline[idx]
    const near = nearestMark(marks.map((m) => u.valToPos(m.x, 'x')), left)
    const parts: string[] = []
    if (minute) parts.push(`${clock(minute.t)} · ${t('chart.online')} ${int(minute.online)} · ${t('chart.gmv')} ${money ? money.full(minute.gmv) : int(minute.gmv)}`)
    if (near >= 0) parts.push(`${clock(marks[near].x * 1000)} ${t(KIND_LABEL[marks[near].kind])}: ${marks[near].text}`)
    caption.textContent = parts.join('  |  ')
  }

  const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
    const w = Math.floor(box.clientWidth)
    if (w <= 0) return
    if (!plot) plot = make(w)
    else if (Math.abs(plot.width - w) > 1) plot.setSize({ width: w, height: HEIGHT })
  })
  ro?.observe(box)

  function render(r: Review, m: MoneyFormat): void {
    review = r
    money = m
    marks = chartMarks(r.markers)
    el.dataset.points = String(r.timeline.length)
    el.dataset.marks = String(marks.length)
    empty.hidden = r.timeline.length > 0
    plot?.setData(timelineColumns(r.timeline))
  }

  function destroy(): void {
    ro?.disconnect()
    plot?.destroy()
    plot = null
  }

  return { el, render, destroy }
}
