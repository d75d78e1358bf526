import { describe, expect, it } from 'vitest'
import { currencyOf, dirOf, duration, moneyIn, pp, signedInt } from './numbers'

describe('review numbers', () => {
  it('knows symbols and minor units of currencies', () => {
    expect(currencyOf('CNY')).toEqual({ code: 'CNY', symbol: '¥', digits: 2 })
    expect(currencyOf('USD')).toMatchObject({ symbol: '$', digits: 2 })
    expect(currencyOf('JPY')).toMatchObject({ symbol: '¥', digits: 0 })
    expect(currencyOf(undefined).code).toBe('CNY')
    expect(currencyOf('cny').code).toBe('CNY')
    expect(currencyOf('XTS').symbol).toBe('XTS ')
  })

  it('writes money in the room currency', () => {
    const cny = moneyIn(currencyOf('CNY'))
    expect(cny.full(1_234_500)).toBe('¥12,345.00')
    expect(cny.full(1543.125)).toBe('¥15.43')
    expect(cny.signed(60_000)).toBe('+¥600.00')
    expect(cny.signed(-100)).toBe('-¥1.00')
    expect(cny.signed(0)).toBe('¥0.00')
    expect(cny.short(123_456_78)).toBe('¥123.5k')
    const jpy = moneyIn(currencyOf('JPY'))
    expect(jpy.full(1500)).toBe('¥1,500')
    expect(jpy.signed(1500)).toBe('+¥1,500')
  })

  it('writes a change of a rate in percentage points', () => {
    expect(pp(0.015)).toBe('+1.50 pp')
    expect(pp(-0.0012)).toBe('-0.12 pp')
    expect(pp(0)).toBe('0.00 pp')
    expect(pp(-0.000001)).toBe('0.00 pp')
    expect(pp(Number.NaN)).toBe('–')
  })

  it('writes durations and signed counts', () => {
    expect(duration(3725)).toBe('1:02:05')
    expect(duration(65)).toBe('1:05')
    expect(duration(0)).toBe('0:00')
    expect(duration(-1)).toBe('–')
    expect(signedInt(1234)).toBe('+1,234')
    expect(signedInt(-3)).toBe('-3')
    expect(signedInt(0)).toBe('0')
  })

  it('tells which way a change went', () => {
    expect(dirOf(0.001)).toBe('up')
    expect(dirOf(-5)).toBe('down')
    expect(dirOf(0)).toBe('flat')
    expect(dirOf(Number.NaN)).toBe('flat')
  })
})
