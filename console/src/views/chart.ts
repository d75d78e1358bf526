// Live line/bar charts with uPlot: a canvas chart of about 50 KB that
// redraws thousands of points in a millisecond or two, so it suits
// second-by-second data over hours. Each chart redraws only when its
// series' version moved, at most once per animation frame.

import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { h, setText } from '../dom'
import { clock, clockMinutes } from '../format'
import type { Series } from '../state/series'

export interface ChartOptions {
  testid: string
  label: string
  color: string
  bars?: boolean
  format?: (v: number) => string
  height?: number
  /** Seconds the x axis spans at least, so one point does not stretch over years. */
  minSpanSec: number
  /** Seconds between points of a bar chart: the axis leaves half a bar's room at each end. */
  stepSec?: number
  /** The y axis reaches at least this value, so an all-zero start reads "¥0 … ¥100", not five "¥0" ticks; zero means 10. */
  yFloor?: number
  /** A second series drawn as a line over the first (render's second argument). */
  second?: { label: string; color: string }
}

export function liveChart(o: ChartOptions) {
  const box = h('div', { class: 'chart-box' })
  const staleNote = h('span', { class: 'chart-stale', testid: `${o.testid}-stale` })
  staleNote.hidden = true
  const el = h('section', { class: 'card chart', testid: o.testid, attrs: { 'aria-label': o.label } },
    h('div', 'card-head', h('h3', { class: 'card-title', text: o.label }), staleNote), box)
  let plot: uPlot | null = null
  let series: Series | null = null
  let other: Series | null = null
  let drawn = ''

  const fmt = o.format ?? ((v: number) => String(Math.round(v)))

  function make(width: number): uPlot {
    const opts: uPlot.Options = {
      width,
      height: o.height ?? 160,
      legend: { show: false },
      cursor: { y: false, points: { size: 6 } },
      scales: {
        x: {
          time: true,
          range: (u) => timeSpan(u.data[0] as number[], o.minSpanSec, o.stepSec ?? 0, Date.now() / 1000),
        },
        y: { range: (_u, min, max) => [Math.min(0, min), Math.max(max * 1.1, o.yFloor || 10)] },
      },
      axes: [
        // 24-hour wall-clock ticks, as the feeds and tables write times; far
        // enough apart that labels never touch.
        { stroke: '#9aa4b2', grid: { stroke: '#263041', width: 1 }, ticks: { stroke: '#263041' }, space: 64,
          values: (_u, vals, _i, _space, incr) => vals.map((v) => timeTick(v, incr)) },
        // As wide as the longest label, so no label is cut at the left edge.
        { stroke: '#9aa4b2', grid: { stroke: '#263041', width: 1 }, ticks: { stroke: '#263041' },
          size: (_u, vals) => axisWidth(vals), values: (_u, vals) => vals.map((v) => fmt(v)) },
      ],
      series: [
        {},
        {
          label: o.label,
          stroke: o.color,
          width: 2,
          fill: o.color + '33',
          points: { show: false },
          paths: o.bars ? uPlot.paths.bars!({ size: [0.7, 40] }) : undefined,
          value: (_u, v) => (v === null ? '–' : fmt(v)),
        },
        ...(o.second ? [{
          label: o.second.label,
          stroke: o.second.color,
          width: 2,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmt(v)),
        }] : []),
      ],
    }
    return new uPlot(opts, o.second ? [[], [], []] : [[], []], box)
  }

  const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
    const w = Math.floor(box.clientWidth)
    if (w <= 0) return
    if (!plot) {
      plot = make(w)
      drawn = ''
      render(series, other)
    } else if (Math.abs(plot.width - w) > 1) {
      plot.setSize({ width: w, height: o.height ?? 160 })
    }
  })
  ro?.observe(box)

  /** Draws s, and with a second series s2 on the same time axis. */
  function render(s: Series | null, s2: Series | null = null): void {
    series = s
    other = s2
    const version = `${s?.version}:${s2?.version}`
    if (!plot || !s || version === drawn) return
    drawn = version
    if (!o.second) {
      plot.setData(s.columns())
      return
    }
    const b = s2 ? s2.columns() : [[], []]
    plot.setData(uPlot.join([s.columns(), b as [number[], number[]]]))
  }

  /** Marks the chart's data as not current with text ("stale since …"), or clears the mark (null). */
  function stale(text: string | null, hint = ''): void {
    el.dataset.stale = text === null ? '0' : '1'
    staleNote.hidden = text === null
    setText(staleNote, text ?? '')
    staleNote.title = hint
  }

  function destroy(): void {
    ro?.disconnect()
    plot?.destroy()
    plot = null
  }

  return { el, render, stale, destroy }
}

/**
 * The x axis of a live chart, in seconds: the data's own span, at least
 * minSpan ending at its newest point (so early in a show the axis is a few
 * minutes, not half an hour), with half a bar of room at each end for bar
 * charts (step > 0).
 */
export function timeSpan(xs: readonly number[], minSpan: number, step: number, now: number): [number, number] {
  const lo = xs.length ? xs[0] : now - minSpan
  const hi = xs.length ? xs[xs.length - 1] : now
  const pad = step / 2
  if (hi - lo >= minSpan) return [lo - pad, hi + pad]
  return [hi - minSpan - pad, hi + pad + (pad ? 0 : 1)]
}

/** A time tick: "18:02" on whole-minute ticks, "18:02:05" when they are seconds apart. */
export function timeTick(sec: number, incr: number): string {
  return incr < 60 ? clock(sec * 1000) : clockMinutes(sec * 1000)
}

/** Pixels a y axis needs for its labels (about 7.5 px a character at 12 px, plus ticks and gap). */
export function axisWidth(labels: readonly string[] | null): number {
  const longest = Math.max(3, ...(labels ?? []).map((s) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)))
  return Math.ceil(longest * 7.5) + 18
}
