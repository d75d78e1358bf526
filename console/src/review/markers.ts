// Markers on the review timeline: how each tier change, cue and alert is
// drawn (colour, glyph, lane, solid or dashed) and named in the list below
// the chart. Shape and line style carry the meaning as well as colour, so
// the chart reads without telling colours apart.

import type { MsgKey } from '../i18n'
import type { Marker, Minute, Review } from './shapes'

export type MarkKind = 'tier' | 'cue' | 'alert' | 'other'
export type Severity = 'critical' | 'warning' | 'info'
export type Glyph = 'square' | 'circle' | 'triangle' | 'dot'

export interface MarkStyle {
  kind: MarkKind
  /** CSS class of the badge and legend swatch (mk-tier, mk-cue, mk-cue-open, mk-alert-critical …). */
  cls: string
  color: string
  glyph: Glyph
  /** A hollow glyph and a dashed line: a cue nobody acknowledged. */
  open: boolean
  /** Row of the glyph above the plot, so kinds at the same minute do not cover each other. */
  lane: number
}

export interface ChartMark extends MarkStyle {
  /** Seconds since the epoch (uPlot's time unit). */
  x: number
  text: string
}

export const COLORS = {
  tier: '#c77dff',
  cue: '#e6edf3',
  critical: '#f85149',
  warning: '#d29922',
  info: '#388bfd',
  other: '#9aa4b2',
} as const

export function severityOf(s: string | undefined): Severity {
  return s === 'critical' || s === 'warning' ? s : 'info'
}

export function kindOf(k: string): MarkKind {
  return k === 'tier' || k === 'cue' || k === 'alert' ? k : 'other'
}

export function markStyle(m: Marker): MarkStyle {
  const kind = kindOf(m.kind)
  switch (kind) {
    case 'tier':
      return { kind, cls: 'mk-tier', color: COLORS.tier, glyph: 'square', open: false, lane: 0 }
    case 'cue':
      return { kind, cls: m.acked ? 'mk-cue' : 'mk-cue-open', color: COLORS.cue, glyph: 'circle', open: !m.acked, lane: 1 }
    case 'alert': {
      const sev = severityOf(m.severity)
      return { kind, cls: `mk-alert-${sev}`, color: COLORS[sev], glyph: 'triangle', open: false, lane: 2 }
    }
    default:
      return { kind, cls: 'mk-other', color: COLORS.other, glyph: 'dot', open: false, lane: 2 }
  }
}

/** Markers as the chart draws them, oldest first. */
export function chartMarks(markers: readonly Marker[]): ChartMark[] {
  return markers
    .filter((m) => m.t > 0)
    .map((m) => ({ ...markStyle(m), x: m.t / 1000, text: m.text }))
    .sort((a, b) => a.x - b.x)
}

/** What a marker's state says in the list: acknowledged (by whom), missed, severity. */
export function markState(m: Marker): { key: MsgKey; by?: string } | null {
  switch (kindOf(m.kind)) {
    case 'cue':
      if (m.acked) return m.acked_by ? { key: 'review.ackedBy', by: m.acked_by } : { key: 'review.acked' }
      return { key: m.needs_ack ? 'review.missedAck' : 'review.notAcked' }
    case 'alert':
      return { key: `severity.${severityOf(m.severity)}` as MsgKey }
    default:
      return null
  }
}

export const KIND_LABEL: Record<MarkKind, MsgKey> = {
  tier: 'review.kindTier',
  cue: 'review.kindCue',
  alert: 'review.kindAlert',
  other: 'review.kindOther',
}

/** The chart's columns: minute starts in seconds, online viewers, GMV per minute. */
export function timelineColumns(minutes: readonly Minute[]): [number[], number[], number[]] {
  return [minutes.map((m) => m.t / 1000), minutes.map((m) => m.online), minutes.map((m) => m.gmv)]
}

/**
 * The span the x axis shows, in seconds: the timeline's minutes (each one
 * minute long), the review's From..To and every marker; null when there is
 * nothing to show.
 */
export function timeSpan(r: Pick<Review, 'timeline' | 'markers' | 'from' | 'to'>): [number, number] | null {
  const starts = [r.from, ...r.timeline.map((m) => m.t), ...r.markers.map((m) => m.t)].filter((t) => t > 0)
  const ends = [r.to, ...r.timeline.map((m) => m.t + 60_000), ...r.markers.map((m) => m.t)].filter((t) => t > 0)
  if (!starts.length) return null
  const lo = Math.min(...starts) / 1000
  const hi = Math.max(...ends) / 1000
  return hi - lo >= 60 ? [lo, hi] : [lo, lo + 60]
}

/** The mark whose x position (pixels) is nearest to left and within tolerance; -1 when none is. */
export function nearestMark(positions: readonly number[], left: number, tolerance = 6): number {
  let best = -1
  let gap = tolerance
  positions.forEach((p, i) => {
    const d = Math.abs(p - left)
    if (d <= gap) {
      best = i
      gap = d
    }
  })
  return best
}
