import { describe, expect, it } from 'vitest'
import { initLang, lang, pickLang, setLang, t } from './i18n'
import { en } from './messages/en'
import { zh } from './messages/zh'

describe('i18n', () => {
  it('follows the browser language', () => {
    expect(pickLang(['zh-CN'])).toBe('zh-CN')
    expect(pickLang(['zh-Hans-CN', 'en'])).toBe('zh-CN')
    expect(pickLang(['fr-FR', 'en-GB'])).toBe('en')
    expect(pickLang(['de'])).toBe('en')
    expect(initLang(null, { languages: ['zh-TW'] })).toBe('zh-CN')
  })

  it('prefers the saved choice', () => {
    expect(initLang({ getItem: () => 'en' }, { languages: ['zh-CN'] })).toBe('en')
  })

  it('fills placeholders and switches', () => {
    initLang(null, { language: 'en' })
    expect(t('conn.lost', { since: '12:00:01' })).toBe('Connection lost — data stale since 12:00:01')
    setLang('zh-CN')
    expect(lang()).toBe('zh-CN')
    expect(t('conn.retryIn', { s: 3 })).toBe('3 秒后重连')
    setLang('en')
  })

  it('has every message in both languages with the same placeholders', () => {
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join()
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort())
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(vars(zh[k]), k).toBe(vars(en[k]))
  })
})
