import { describe, expect, it } from 'vitest'
import { Series } from './series'

describe('Series', () => {
  it('keeps the last value per bucket in last mode', () => {
    const s = new Series(1000, 10, 'last')
    s.record(1000, 5)
    s.record(1500, 7)
    s.record(2100, 9)
    expect(s.points()).toEqual([[1000, 7], [2000, 9]])
  })

  it('adds within a bucket in sum mode', () => {
    const s = new Series(60_000, 10, 'sum')
    s.record(60_000, 100)
    s.record(61_000, 50)
    s.record(120_500, 5)
    expect(s.points()).toEqual([[60_000, 150], [120_000, 5]])
  })

  it('continues from loaded history without double buckets', () => {
    const s = new Series(60_000, 10, 'sum')
    s.load([[120_000, 30], [60_000, 10]])
    s.record(125_000, 5)
    s.record(185_000, 1)
    expect(s.points()).toEqual([[60_000, 10], [120_000, 35], [180_000, 1]])
  })

  it('places a late value in its bucket', () => {
    const s = new Series(1000, 10, 'sum')
    s.record(1000, 1)
    s.record(3000, 1)
    s.record(2000, 1)
    s.record(1200, 1)
    expect(s.points()).toEqual([[1000, 2], [2000, 1], [3000, 1]])
  })

  it('stays bounded over 12 hours of 1-second updates', () => {
    const s = new Series(1000, 1800, 'last')
    for (let t = 0; t < 12 * 3600; t++) s.record(t * 1000, t)
    expect(s.length).toBeLessThanOrEqual(1800 + 450)
    expect(s.latest()).toBe(12 * 3600 - 1)
    const [xs, ys] = s.columns()
    expect(xs.length).toBe(ys.length)
    expect(xs[xs.length - 1]).toBe(12 * 3600 - 1) // seconds for uPlot
  })

  it('trims loaded history to capacity exactly', () => {
    const s = new Series(1000, 3, 'last')
    s.load([[1000, 1], [2000, 2], [3000, 3], [4000, 4]])
    expect(s.points()).toEqual([[2000, 2], [3000, 3], [4000, 4]])
  })

  it('ignores non-finite values and bumps the version on change', () => {
    const s = new Series(1000, 3, 'last')
    const v = s.version
    s.record(Number.NaN, 1)
    s.record(1000, Number.POSITIVE_INFINITY)
    expect(s.version).toBe(v)
    s.record(1000, 1)
    expect(s.version).toBe(v + 1)
  })
})
