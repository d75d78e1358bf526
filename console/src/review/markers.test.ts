import { describe, expect, it } from 'vitest'
import { sampleReview, T0 } from './fixture'
import { chartMarks, markState, markStyle, nearestMark, timelineColumns, timeSpan } from './markers'
import { reviewOf, type Marker } from './shapes'

const mk = (over: Partial<Marker>): Marker => ({ t: T0, kind: 'cue', text: 'x', acked: false, ...over })

describe('markers on the chart', () => {
  it('tells tiers, acknowledged and open cues, and alerts by severity apart', () => {
    const tier = markStyle(mk({ kind: 'tier' }))
    const acked = markStyle(mk({ acked: true }))
    const open = markStyle(mk({ acked: false }))
    const crit = markStyle(mk({ kind: 'alert', severity: 'critical' }))
    const warn = markStyle(mk({ kind: 'alert', severity: 'warning' }))
    const odd = markStyle(mk({ kind: 'alert', severity: 'bogus' }))
    expect([tier.glyph, acked.glyph, crit.glyph]).toEqual(['square', 'circle', 'triangle'])
    expect([acked.open, open.open]).toEqual([false, true])
    expect([acked.cls, open.cls]).toEqual(['mk-cue', 'mk-cue-open'])
    expect([crit.cls, warn.cls, odd.cls]).toEqual(['mk-alert-critical', 'mk-alert-warning', 'mk-alert-info'])
    expect(new Set([crit.color, warn.color, odd.color]).size).toBe(3)
    expect(new Set([tier.lane, acked.lane, crit.lane]).size).toBe(3)
    expect(markStyle(mk({ kind: 'gift' })).kind).toBe('other')
  })

  it('maps markers to seconds, oldest first, dropping ones without a time', () => {
    const marks = chartMarks([mk({ t: T0 + 2000, text: 'b' }), mk({ t: 0 }), mk({ t: T0 + 1000, kind: 'tier', text: 'a' })])
    expect(marks.map((m) => [m.x, m.kind, m.text])).toEqual([[T0 / 1000 + 1, 'tier', 'a'], [T0 / 1000 + 2, 'cue', 'b']])
  })

  it('names the state of each marker for the list', () => {
    expect(markState(mk({ acked: true, acked_by: 'host' }))).toEqual({ key: 'review.ackedBy', by: 'host' })
    expect(markState(mk({ acked: true }))).toEqual({ key: 'review.acked' })
    expect(markState(mk({ needs_ack: true }))).toEqual({ key: 'review.missedAck' })
    expect(markState(mk({}))).toEqual({ key: 'review.notAcked' })
    expect(markState(mk({ kind: 'alert', severity: 'warning' }))).toEqual({ key: 'severity.warning' })
    expect(markState(mk({ kind: 'tier' }))).toBeNull()
  })

  it('gives the chart its columns and a span covering minutes and markers', () => {
    const r = reviewOf(sampleReview())!
    const [xs, online, gmv] = timelineColumns(r.timeline)
    expect(xs).toEqual([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120])
    expect(online).toEqual([100, 200, 321])
    expect(gmv).toEqual([0, 500_000, 734_500])
    expect(timeSpan(r)).toEqual([T0 / 1000, T0 / 1000 + 180])
    const late = { ...r, markers: [mk({ t: T0 + 600_000 })] }
    expect(timeSpan(late)).toEqual([T0 / 1000, T0 / 1000 + 600])
    expect(timeSpan({ timeline: [], markers: [], from: 0, to: 0 })).toBeNull()
    expect(timeSpan({ timeline: [], markers: [mk({})], from: 0, to: 0 })).toEqual([T0 / 1000, T0 / 1000 + 60])
  })

  it('finds the marker under the pointer', () => {
    expect(nearestMark([10, 50, 53], 52)).toBe(2)
    expect(nearestMark([10, 50], 30)).toBe(-1)
    expect(nearestMark([], 30)).toBe(-1)
  })
})
