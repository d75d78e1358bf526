import { describe, expect, it } from 'vitest'
import { direction, Trend } from './trend'

describe('Trend', () => {
  it('measures change against about a minute ago', () => {
    const t = new Trend({ everyMs: 5000, windowMs: 60_000 })
    for (let s = 0; s <= 120; s++) t.add(s * 1000, { online: 100 + s })
    // The base sample is the newest at or before 60 s ago (t = 60 s, online 160).
    expect(t.changePct('online', 220)).toBeCloseTo(((220 - 160) / 160) * 100)
  })

  it('samples sparsely', () => {
    const t = new Trend({ everyMs: 5000 })
    t.add(0, { a: 1 })
    t.add(1000, { a: 999 })
    expect(t.changePct('a', 2)).toBe(100)
  })

  it('is unknown without samples or from zero', () => {
    const t = new Trend()
    expect(t.changePct('a', 1)).toBeNull()
    t.add(0, { a: 0 })
    expect(t.changePct('a', 5)).toBeNull()
    expect(t.changePct('a', 0)).toBe(0)
  })
})

describe('direction', () => {
  it.each([
    [5, 'up'],
    [-5, 'down'],
    [0.2, 'flat'],
    [null, 'none'],
    [Number.NaN, 'none'],
  ] as const)('%s → %s', (pct, want) => {
    expect(direction(pct)).toBe(want)
  })
})
