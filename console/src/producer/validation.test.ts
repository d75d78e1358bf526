import { describe, expect, it } from 'vitest'
import { setLang } from '../i18n'
import { changeText, problemsOf } from './validation'

describe('problemsOf', () => {
  it('reads an errors list with positions', () => {
    expect(problemsOf({ valid: false, errors: [{ rule: 'tier-500', line: 4, column: 16, message: 'unknown name onlin' }] })).toEqual([
      { message: 'unknown name onlin', rule: 'tier-500', field: undefined, line: 4, col: 16, severity: 'error' },
    ])
  })

  it('reads warnings (banned advertising words)', () => {
    const p = problemsOf({ valid: true, errors: [], warnings: [{ rule: 'hype', message: 'cue text contains 最' }, 'plain'] })
    expect(p.map((x) => [x.severity, x.rule, x.message])).toEqual([['warning', 'hype', 'cue text contains 最'], ['warning', undefined, 'plain']])
  })

  it('reads the error envelope and finds the position in the message', () => {
    const p = problemsOf({ error: { code: 'invalid', field: 'rules[1].condition', message: 'rule "last-3": line 9, column 12: unexpected token' } })
    expect(p[0]).toMatchObject({ field: 'rules[1].condition', line: 9, col: 12, severity: 'error' })
    expect(problemsOf({ error: { code: 'invalid', message: 'x', details: [{ rule: 'a', message: 'm', position: { line: 2, column: 3 } }] } })[0])
      .toMatchObject({ rule: 'a', line: 2, col: 3 })
  })

  it("reads LiveDeck's problems list, warnings included, without repeating the envelope", () => {
    const p = problemsOf({
      error: { code: 'invalid', field: 'rules', message: 'rule "a": when (line 1, column 3): unknown name' },
      problems: [
        { rule: 'a', field: 'when', line: 1, column: 3, message: 'unknown name onlin' },
        { rule: 'b', field: 'actions[0].cue.text', message: 'banned word 最', warning: true },
      ],
    })
    expect(p.map((x) => [x.rule, x.field, x.line, x.col, x.severity])).toEqual([
      ['a', 'when', 1, 3, 'error'],
      ['b', 'actions[0].cue.text', undefined, undefined, 'warning'],
    ])
    expect(problemsOf({ valid: true, problems: [] })).toEqual([])
  })

  it('reads bare arrays and nothing', () => {
    expect(problemsOf(['bad']).map((p) => p.message)).toEqual(['bad'])
    expect(problemsOf({ valid: true })).toEqual([])
    expect(problemsOf(null)).toEqual([])
    expect(problemsOf('file:3:7 oops')[0].message).toBe('file:3:7 oops')
  })

  it('words coded problems in the console language, the server message otherwise', () => {
    const body = { valid: true, problems: [
      { rule: 'last-3', field: 'actions[0].cue.text', source_line: 9, warning: true, code: 'banned_term', args: { term: '最低价' }, message: 'contains "最低价", an absolute term' },
      { rule: 'x', field: 'when', code: 'not_in_catalogue', message: 'as the server says' },
    ] }
    setLang('zh-CN')
    expect(problemsOf(body).map((p) => [p.code, p.message, p.severity])).toEqual([
      ['banned_term', '含“最低价”：广告法第九条第（三）项禁止的绝对化用语', 'warning'],
      ['not_in_catalogue', 'as the server says', 'error'],
    ])
    expect(changeText('stays firing')).toBe('保持触发')
    setLang('en')
    expect(problemsOf(body)[0].message).toBe('contains “最低价”, an absolute term the advertising law bans (Art. 9(3))')
    expect(changeText('clears now')).toBe('clears now')
    expect(changeText('something new')).toBe('something new')
  })
})
