import { describe, expect, it } from 'vitest'
import { changePct, clock, clockMinutes, countdown, int, intFit, money, moneyFit, moneyShort, ratio, stamp } from './format'

describe('format', () => {
  it.each([
    [12345, '¥123.45'],
    [0, '¥0.00'],
    [5, '¥0.05'],
    [-50, '-¥0.50'],
    [123456789, '¥1,234,567.89'],
    [1234.6, '¥12.35'],
    [Number.NaN, '–'],
    [null, '–'],
  ])('money(%s) = %s', (minor, want) => {
    expect(money(minor as number)).toBe(want)
  })

  it('formats currencies with other minor units', () => {
    expect(money(1234, '¥', 0)).toBe('¥1,234')
    expect(money(-5, '$', 2)).toBe('-$0.05')
    expect(money(12345, 'BD ', 3)).toBe('BD 12.345')
    expect(moneyShort(1_234_567, '¥', 0)).toBe('¥1.23M')
  })

  it('formats the rest', () => {
    expect(moneyShort(123_456_78)).toBe('¥123.5k')
    expect(moneyShort(99_00)).toBe('¥99')
    expect(int(1234567)).toBe('1,234,567')
    expect(int(-1234)).toBe('-1,234')
    expect(ratio(0.0345)).toBe('3.45%')
    expect(ratio(undefined)).toBe('–')
    expect(changePct(12.345)).toBe('+12.3%')
    expect(changePct(-150)).toBe('-150%')
    expect(changePct(null)).toBe('')
    expect(countdown(65_400)).toBe('1:06')
    expect(countdown(9_400)).toBe('9.4')
    expect(countdown(-5)).toBe('0.0')
    expect(clock(new Date(2024, 0, 1, 9, 5, 7).getTime())).toBe('09:05:07')
  })
})

describe('stamp', () => {
  it('says the time today and the date before, 24-hour in both languages', () => {
    const now = new Date(2026, 11, 1, 20, 0, 0).getTime()
    expect(stamp(new Date(2026, 11, 1, 18, 2, 5).getTime(), 'zh-CN', now)).toBe('18:02:05')
    expect(stamp(new Date(2026, 10, 30, 21, 7, 0).getTime(), 'zh-CN', now)).toBe('11月30日 21:07:00')
    expect(stamp(new Date(2026, 10, 30, 21, 7, 0).getTime(), 'en', now)).toBe('Nov 30 21:07:00')
    expect(stamp(new Date(2025, 0, 2, 3, 4, 5).getTime(), 'en', now)).toBe('Jan 2, 2025 03:04:05')
    expect(stamp(0, 'en', now)).toBe('–')
  })
})

describe('numbers that fit', () => {
  it.each([
    // minor units, language, shown, exact
    [60_342_912, 'zh-CN', '¥60.34万', '¥603,429.12'],
    [60_342_912, 'en', '¥603.4k', '¥603,429.12'],
    [999_999, 'en', '¥9,999.99', '¥9,999.99'],
    [1_000_000, 'zh-CN', '¥1万', '¥10,000.00'],
    [1_000_000, 'en', '¥10k', '¥10,000.00'],
    [99_999_999_99, 'en', '¥100M', '¥99,999,999.99'],
    [99_999_999_99, 'zh-CN', '¥1亿', '¥99,999,999.99'],
    [123_456_789_000, 'zh-CN', '¥12.35亿', '¥1,234,567,890.00'],
    [123_456_789_000, 'en', '¥1.23B', '¥1,234,567,890.00'],
    [-60_342_912, 'en', '-¥603.4k', '-¥603,429.12'],
  ])('moneyFit(%s, %s) = %s', (minor, lang, text, full) => {
    expect(moneyFit(minor, lang)).toEqual({ text, full })
  })

  it.each([
    [99_999, 'zh-CN', '99,999'],
    [123_456, 'zh-CN', '12.35万'],
    [123_456, 'en', '123.5k'],
    [2_500_000, 'en', '2.5M'],
    [350_000_000, 'zh-CN', '3.5亿'],
  ])('intFit(%s, %s) = %s', (n, lang, text) => {
    expect(intFit(n, lang)).toEqual({ text, full: int(n) })
  })

  it('keeps the empty mark', () => {
    expect(moneyFit(null, 'en')).toEqual({ text: '–', full: '–' })
    expect(intFit(undefined, 'zh-CN')).toEqual({ text: '–', full: '–' })
  })

  it('abbreviates chart amounts in the language of the page', () => {
    expect(moneyShort(10_000_000, '¥', 2, 'en')).toBe('¥100k')
    expect(moneyShort(10_000_000, '¥', 2, 'zh-CN')).toBe('¥10万')
    expect(moneyShort(5_000_00, '¥', 2, 'zh-CN')).toBe('¥5000')
    expect(moneyShort(25_000, '¥', 2, 'zh-CN')).toBe('¥250')
  })

  it('writes axis minutes on the 24-hour clock', () => {
    expect(clockMinutes(new Date(2026, 11, 1, 18, 2, 5).getTime())).toBe('18:02')
  })
})
