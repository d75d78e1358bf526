import { describe, expect, it } from 'vitest'
import { numbersIn, setNumber } from './numbers'

describe('numbersIn', () => {
  it('finds thresholds and skips names and strings', () => {
    const e = 'online >= 500 && sku["A1"].ctr < 0.03 and p99 > 1_000 || x == "200" || uv_value < 1.5e2'
    expect(numbersIn(e).map((n) => n.value)).toEqual([500, 0.03, 1000, 150])
  })

  it('handles negative-looking comparisons and percentages', () => {
    expect(numbersIn('online_change_pct < -15').map((n) => n.value)).toEqual([15])
    expect(numbersIn("text == 'it\\'s 5'").length).toBe(0)
  })
})

describe('setNumber', () => {
  it('replaces one literal in place', () => {
    expect(setNumber('online >= 500 && online < 2000', 1, 3000)).toBe('online >= 500 && online < 3000')
    expect(setNumber('stock <= 3', 0, 5)).toBe('stock <= 5')
  })

  it('leaves the expression alone for a bad index or value', () => {
    expect(setNumber('a > 1', 4, 2)).toBe('a > 1')
    expect(setNumber('a > 1', 0, Number.NaN)).toBe('a > 1')
  })
})
