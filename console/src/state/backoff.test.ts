import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff'

describe('backoffDelay', () => {
  it('grows exponentially up to the ceiling', () => {
    const mid = () => 0.5
    const d = [0, 1, 2, 3, 10].map((a) => backoffDelay(a, { baseMs: 500, maxMs: 8000, random: mid }))
    expect(d).toEqual([375, 750, 1500, 3000, 6000])
  })

  it('keeps the jitter within half the delay and never zero', () => {
    for (let a = 0; a < 8; a++) {
      const lo = backoffDelay(a, { random: () => 0 })
      const hi = backoffDelay(a, { random: () => 0.999999 })
      const cap = Math.min(15000, 500 * 2 ** a)
      expect(lo).toBe(cap / 2)
      expect(hi).toBeLessThanOrEqual(cap)
      expect(lo).toBeGreaterThan(0)
    }
  })

  it('spreads clients that fail together', () => {
    const seen = new Set<number>()
    let x = 1
    const rnd = () => ((x = (x * 16807) % 2147483647) / 2147483647)
    for (let i = 0; i < 50; i++) seen.add(backoffDelay(4, { random: rnd }))
    expect(seen.size).toBeGreaterThan(40)
  })

  it('tolerates huge attempt counts', () => {
    expect(backoffDelay(10_000, { random: () => 0 })).toBe(7500)
  })
})
