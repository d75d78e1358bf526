import { describe, expect, it } from 'vitest'
import { headlineDeltas } from './deltas'
import { sampleReview } from './fixture'
import { formatChange } from './metrics'
import { currencyOf, moneyIn } from './numbers'
import { comparisonOf, headlineOf, reviewOf } from './shapes'

const now = reviewOf(sampleReview())!.headline
const earlier = headlineOf({ ...now, gmv: 1_000_000, conversion: 0.05, uv: 0, duration_seconds: 120, comments: 600 })

describe('comparison deltas', () => {
  it('computes change, relative change and tone per headline number', () => {
    const rows = Object.fromEntries(headlineDeltas(now, earlier).map((d) => [d.metric.id, d]))
    expect(rows.gmv).toMatchObject({ now: 1_234_500, earlier: 1_000_000, change: 234_500, dir: 'up', tone: 'good' })
    expect(rows.gmv.pct).toBeCloseTo(23.45)
    expect(rows.conversion).toMatchObject({ dir: 'down', tone: 'bad' })
    expect(rows.conversion.change).toBeCloseTo(-0.01)
    expect(rows.conversion.pct).toBeCloseTo(-20)
    expect(rows.uv.pct).toBeNull()
    expect(rows.duration).toMatchObject({ change: 60, dir: 'up', tone: 'neutral' })
    expect(rows.comments).toMatchObject({ change: 0, dir: 'flat', tone: 'neutral', pct: 0 })
  })

  it('takes the change the server sent when there is one', () => {
    const d = headlineDeltas(now, earlier, { gmv: 1 })
    expect(d.find((x) => x.metric.id === 'gmv')!.change).toBe(1)
    expect(d.find((x) => x.metric.id === 'duration')!.change).toBe(60)
  })

  it('writes changes in each metric’s unit', () => {
    const m = moneyIn(currencyOf('CNY'))
    expect(formatChange('money', 234_500, m)).toBe('+¥2,345.00')
    expect(formatChange('ratio', -0.01, m)).toBe('-1.00 pp')
    expect(formatChange('int', 12, m)).toBe('+12')
    expect(formatChange('duration', -3725, m)).toBe('-1:02:05')
    expect(formatChange('duration', 0, m)).toBe('0:00')
  })

  it('reads a comparison answer, with or without the change', () => {
    const c = comparisonOf({ review: sampleReview(), earlier: sampleReview({ room: 'r0' }), change: { gmv: 5 } })!
    expect(c.earlier.room).toBe('r0')
    expect(c.change?.gmv).toBe(5)
    expect(comparisonOf({ review: sampleReview(), earlier: sampleReview({ room: 'r0' }) })!.change).toBeUndefined()
    expect(comparisonOf({ review: sampleReview(), earlier: sampleReview({ room: 'r0' }), change: { gmv: 'x', uv: 3 } })!.change).toEqual({ uv: 3 })
    expect(comparisonOf({ review: sampleReview() })).toBeNull()
    expect(comparisonOf(null)).toBeNull()
  })
})
