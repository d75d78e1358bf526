import { describe, expect, it } from 'vitest'
import { dryRunOf, firingsOf, listOf, rulesText, templatesOf, timeOf, versionOf, versionsOf } from './shapes'

describe('rules API shapes', () => {
  it('unwraps lists', () => {
    expect(listOf([{ a: 1 }, 2], ['x'])).toEqual([{ a: 1 }])
    expect(listOf({ versions: [{ v: 1 }] }, ['items', 'versions'])).toEqual([{ v: 1 }])
    expect(listOf({ nope: 1 }, ['items'])).toEqual([])
  })

  it('gets YAML text from any rules answer', () => {
    expect(rulesText('rules: []\n')).toBe('rules: []\n')
    expect(rulesText({ yaml: 'a: 1', version: 3 })).toBe('a: 1')
    expect(rulesText({ rules: [{ name: 'x' }] })).toBe('rules:\n  - name: x\n')
    expect(rulesText(null)).toBe('')
    expect(versionOf({ version: 7 })).toBe(7)
    expect(versionOf({ version: { version: 8, source: 'x' }, warnings: [] })).toBe(8)
    expect(versionOf({ version: 0 })).toBeUndefined()
    expect(versionOf('ok')).toBeUndefined()
  })

  it('reads times in seconds, ms or ISO', () => {
    expect(timeOf({ at: 1_700_000_000 })).toBe(1_700_000_000_000)
    expect(timeOf({ ts: 1_700_000_000_123 })).toBe(1_700_000_000_123)
    expect(timeOf({ created_at: '2024-01-01T00:00:00Z' })).toBe(Date.UTC(2024, 0, 1))
    expect(timeOf({})).toBeUndefined()
  })

  it('sorts versions newest first', () => {
    const v = versionsOf([{ version: 1, author: 'a', yaml: 'x' }, { version: 2, by: 'b', diff: '-x\n+y' }, { version: 0 }])
    expect(v.map((x) => [x.version, x.author, !!x.text, !!x.diff])).toEqual([[2, 'b', false, true], [1, 'a', true, false]])
  })

  it('summarises firings of every kind', () => {
    const f = firingsOf({ history: [
      { rule: 'r1', at: 1, kind: 'cue', cue: { text: '上链接' } },
      { rule: 'r2', at: 2, alert: { message: 'online fell 20%' } },
      { rule: 'r3', at: 3, tier: { name: 'T2', coupon: '满199减50' } },
      { rule: 'r4', at: 4, gift: { quota: 'first50', n: 7, order_id: 'o9' } },
      { name: 'r5', actions: [{ cue: {} }, { alert: {} }] },
    ] })
    expect(f.map((x) => [x.rule, x.kind, x.summary])).toEqual([
      ['r1', 'cue', '上链接'],
      ['r2', 'alert', 'online fell 20%'],
      ['r3', 'tier', '满199减50'],
      ['r4', 'gift', 'first50 #7 → o9'],
      ['r5', '', 'cue, alert'],
    ])
  })

  it('reads templates as YAML', () => {
    const t = templatesOf([
      { name: 'tiers', title: 'Viewer tiers', yaml: 'rules: []' },
      { name: 'low-stock', rules: [{ name: 'last-3' }] },
      { name: 'one', rule: { name: 'x' } },
      { name: 'broken' },
    ])
    expect(t.map((x) => x.name)).toEqual(['tiers', 'low-stock', 'one'])
    expect(t[1].yaml).toContain('last-3')
  })
})

describe('LiveDeck rules API answers', () => {
  it('reads versions with a diff summary and source', () => {
    const v = versionsOf([{ version: 3, author: 'p1', at: 1_700_000_000_000, source: 'rules: []', diff: ['+ rule a', '~ rule b: when'], note: 'warm-up' }])
    expect(v[0]).toMatchObject({ version: 3, author: 'p1', text: 'rules: []', diff: '+ rule a\n~ rule b: when', comment: 'warm-up' })
  })

  it('splits the YAML playbook into one template per rule', () => {
    const t = templatesOf('# playbook\nrules:\n  - name: tier-500\n    when: online >= 500\n    actions:\n      - cue: {text: 上链接}\n  - name: x\n    when: uv > 1\n')
    expect(t.map((x) => [x.name, x.description])).toEqual([['tier-500', 'online >= 500'], ['x', 'uv > 1']])
    expect(t[0].yaml).toContain('上链接')
    expect(templatesOf('rules: [')).toEqual([])
  })

  it('orders dry-run results: firing, waiting, errors, idle', () => {
    const d = dryRunOf({ results: [
      { rule: 'a', matched: false, would_fire: false, actions: ['cue'] },
      { rule: 'b', matched: true, would_fire: false, actions: ['cue: 关注领券'] },
      { rule: 'c', matched: true, would_fire: true, actions: ['tier: tier-500', 'cue: x'] },
      { rule: 'd', error: 'division by zero' },
    ], problems: [] })
    expect(d.map((x) => [x.rule, x.state, x.detail])).toEqual([
      ['c', 'fires', 'tier: tier-500 · cue: x'],
      ['b', 'waits', 'cue: 关注领券'],
      ['d', 'error', 'division by zero'],
      ['a', 'idle', 'cue'],
    ])
  })
})
