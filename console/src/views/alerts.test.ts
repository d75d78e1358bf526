import { describe, expect, it } from 'vitest'
import { alertMessage } from './alerts'

describe('alertMessage', () => {
  const a = { key: 'k', severity: 'warning', message: '近1分钟GMV比上一分钟下降41%', messages: { en: 'GMV in the last minute fell 41% against the minute before' } }

  it('shows the message in the console language when the rule gives it', () => {
    expect(alertMessage(a, 'en')).toBe('GMV in the last minute fell 41% against the minute before')
    expect(alertMessage({ ...a, messages: { zh: '中文', en: 'English' } }, 'zh-CN')).toBe('中文')
  })

  it('falls back to the message as written', () => {
    expect(alertMessage(a, 'zh-CN')).toBe('近1分钟GMV比上一分钟下降41%')
    expect(alertMessage({ key: 'k', severity: 'info', message: 'only this' }, 'en')).toBe('only this')
  })
})
