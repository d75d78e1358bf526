import { describe, expect, it } from 'vitest'
import { RuleSet } from './ruleset'

const SRC = `# show plan for the spring sale
rules:
  - name: tier-500
    condition: online >= 500 # first tier
    for: 10s
    actions:
      - tier: { name: T1, coupon: 满199减20 }
  - name: last-3
    when: sku["A1"].stock <= 3
    enabled: false
`

describe('RuleSet', () => {
  it('lists rules with enabled flags and thresholds', () => {
    const { set } = RuleSet.parse(SRC)
    const rules = set!.rules()
    expect(rules.map((r) => [r.name, r.enabled, r.conditionKey, r.exprs.map((e) => [e.key, e.thresholds.map((t) => t.value)])])).toEqual([
      ['tier-500', true, 'condition', [['condition', [500]]]],
      ['last-3', false, 'when', [['when', [3]]]],
    ])
    expect(rules[1].line).toBe(8)
  })

  it('edits in place and keeps comments', () => {
    const { set } = RuleSet.parse(SRC)
    set!.setEnabled(1, true)
    set!.setThreshold(0, 'condition', 0, 800)
    const out = set!.toString()
    expect(out).toContain('# show plan for the spring sale')
    expect(out).toContain('condition: online >= 800 # first tier')
    expect(out).toContain('enabled: true')
    expect(out).toContain('满199减20')
    const again = RuleSet.parse(out).set!.rules()
    expect(again[0].exprs[0].thresholds[0].value).toBe(800)
    expect(again[1].enabled).toBe(true)
  })

  it('writes enabled: false for a rule without the key, and honours disabled:', () => {
    const { set } = RuleSet.parse('- name: a\n  if: uv > 1\n- name: b\n  expr: uv > 2\n  disabled: true\n')
    expect(set!.rules().map((r) => r.enabled)).toEqual([true, false])
    set!.setEnabled(0, false)
    set!.setEnabled(1, true)
    expect(set!.toString()).toContain('enabled: false')
    expect(set!.toString()).toContain('disabled: false')
  })

  it('reads groups of rules', () => {
    const { set } = RuleSet.parse('groups:\n  - name: g\n    rules:\n      - name: x\n        condition: gmv_per_min < 100\n')
    expect(set!.rules().map((r) => r.name)).toEqual(['x'])
  })

  it('appends template rules', () => {
    const { set } = RuleSet.parse(SRC)
    expect(set!.appendRules('rules:\n  - name: fudai\n    condition: online_change_pct < -15\n')).toEqual([])
    expect(set!.rules().map((r) => r.name)).toEqual(['tier-500', 'last-3', 'fudai'])
    const empty = RuleSet.parse('').set!
    empty.appendRules('- name: one\n  condition: uv > 1\n')
    expect(empty.rules().map((r) => r.name)).toEqual(['one'])
  })

  it('edits the hysteresis (clear) threshold of a LiveDeck rule', () => {
    const src = 'rules:\n  - name: tier-500\n    when: online >= 500\n    clear: online < 450\n    keep_firing_for: 60s\n'
    const { set } = RuleSet.parse(src)
    expect(set!.rules()[0].exprs.map((e) => e.key)).toEqual(['when', 'clear'])
    set!.setThreshold(0, 'clear', 0, 400)
    expect(set!.toString()).toContain('clear: online < 400')
    expect(set!.toString()).toContain('when: online >= 500')
  })

  it('maps a position inside an expression to the file', () => {
    const src = 'rules:\n  - name: a\n    when: onlin >= 5\n  - name: b\n    when: "uv > x"\n'
    const { set } = RuleSet.parse(src)
    expect(set!.locate('a', 'when', 1, 1)).toEqual({ line: 3, col: 11 })
    expect(set!.locate('b', 'when', 1, 6)).toEqual({ line: 5, col: 17 })
    expect(set!.locate('b', 'actions[0].cue.text')).toEqual({ line: 4, col: 5 })
    expect(set!.locate('zzz', 'when', 1, 1)).toBeNull()
  })

  it('reports YAML syntax errors with a position', () => {
    const { set, problems } = RuleSet.parse('rules:\n  - name: a\n   bad: [\n')
    expect(set).toBeNull()
    expect(problems[0].line).toBeGreaterThan(0)
  })
})
