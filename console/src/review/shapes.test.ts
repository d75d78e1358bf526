import { describe, expect, it } from 'vitest'
import { sampleReview, T0 } from './fixture'
import { reviewOf } from './shapes'

describe('review shapes', () => {
  it('fills Go null lists and missing numbers', () => {
    const r = reviewOf(sampleReview({ markers: null, tiers: null, skus: null, keywords: null, questions: null, cues: null, abuse: undefined, funnel: null, channels: null }))!
    expect([r.markers, r.tiers, r.skus, r.keywords, r.questions, r.cues]).toEqual([[], [], [], [], [], []])
    expect(r.abuse).toEqual({ comments: 0, users: 0, peak_per_min: 0 })
    expect(r.funnel).toEqual({ exposures: 0, clicks: 0, carts: 0, orders: 0, paid: 0 })
    expect(r.channels).toEqual([])
    expect(r.timeline[0]).toMatchObject({ t: T0, buyers: 0 })
  })

  it('sorts the timeline and markers by time', () => {
    const r = reviewOf(sampleReview())!
    expect(r.timeline.map((m) => m.t - T0)).toEqual([0, 60_000, 120_000])
    expect(r.markers.map((m) => m.kind)).toEqual(['tier', 'cue', 'alert', 'cue'])
    expect(r.markers[1]).toMatchObject({ needs_ack: true, acked: false, rule: 'push-coat' })
    expect(r.cues.map((c) => c.measured)).toEqual([2, 0])
    expect(reviewOf({ room: 'r1', cues: [{ rule: 'x', firings: 4 }] })!.cues[0].measured).toBe(4)
  })

  it('rejects what is not a review', () => {
    expect(reviewOf(null)).toBeNull()
    expect(reviewOf('nope')).toBeNull()
    expect(reviewOf({ error: { code: 'not_found' } })).toBeNull()
    expect(reviewOf({ room: 'r1' })!.headline.gmv).toBe(0)
    expect(reviewOf({ room: 'r1', headline: { gmv: 'x', uv: Infinity } })!.headline).toMatchObject({ gmv: 0, uv: 0 })
  })
})
