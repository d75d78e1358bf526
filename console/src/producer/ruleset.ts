// RuleSet is the producer's structured view of a YAML rule file: the list of
// rules with their enabled flag and condition thresholds, edited in place so
// the YAML keeps its comments, order and layout (it is checked into the show
// plan). LiveDeck's format is `rules: [{name, enabled, when, clear, …}]`; a
// bare list, `groups[].rules` and `condition`/`expr`/`if` are read too.

import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml'
import { numbersIn, setNumber, type NumberLit } from './numbers'

const CONDITION_KEYS = ['when', 'condition', 'expr', 'if'] as const
/** Expressions whose numbers are threshold fields: the condition, then its hysteresis. */
const EXPR_KEYS = [...CONDITION_KEYS, 'clear'] as const

export interface ExprField {
  key: string
  expr: string
  thresholds: NumberLit[]
}

export interface RuleInfo {
  index: number
  name: string
  enabled: boolean
  conditionKey: string | null
  condition: string
  /** The condition and `clear`, each with its numeric literals. */
  exprs: ExprField[]
  /** Line (1-based) where the rule starts, for jumping to it. */
  line: number
}

export interface ParseProblem {
  message: string
  line?: number
  col?: number
}

export class RuleSet {
  private constructor(
    private doc: Document.Parsed,
    private source: string,
  ) {}

  static parse(text: string): { set: RuleSet | null; problems: ParseProblem[] } {
    const doc = parseDocument(text, { prettyErrors: true })
    if (doc.errors.length) {
      return {
        set: null,
        problems: doc.errors.map((e) => ({ message: e.message.split('\n')[0], line: e.linePos?.[0]?.line, col: e.linePos?.[0]?.col })),
      }
    }
    return { set: new RuleSet(doc, text), problems: [] }
  }

  private ruleMaps(): YAMLMap[] {
    const out: YAMLMap[] = []
    const addSeq = (seq: unknown) => {
      if (isSeq(seq)) for (const it of (seq as YAMLSeq).items) if (isMap(it)) out.push(it as YAMLMap)
    }
    const root = this.doc.contents
    if (isSeq(root)) addSeq(root)
    else if (isMap(root)) {
      addSeq(root.get('rules', true))
      const groups = root.get('groups', true)
      if (isSeq(groups)) for (const g of groups.items) if (isMap(g)) addSeq(g.get('rules', true))
    }
    return out
  }

  rules(): RuleInfo[] {
    return this.ruleMaps().map((m, index) => {
      const key = CONDITION_KEYS.find((k) => m.has(k)) ?? null
      const cond = key ? String(m.get(key) ?? '') : ''
      const enabledNode = m.get('enabled')
      const disabledNode = m.get('disabled')
      const enabled = enabledNode !== undefined ? enabledNode !== false : disabledNode !== true
      const exprs = EXPR_KEYS.filter((k) => m.has(k)).map((k) => {
        const expr = String(m.get(k) ?? '')
        return { key: k, expr, thresholds: numbersIn(expr) }
      })
      return {
        index,
        name: String(m.get('name') ?? `#${index + 1}`),
        enabled,
        conditionKey: key,
        condition: cond,
        exprs,
        line: lineOf(this.source, m.range?.[0] ?? 0).line,
      }
    })
  }

  setEnabled(index: number, enabled: boolean): void {
    const m = this.ruleMaps()[index]
    if (!m) return
    if (m.has('disabled') && !m.has('enabled')) m.set('disabled', !enabled)
    else m.set('enabled', enabled)
  }

  /** Sets the n-th number of the rule's expression under key (when, clear, …). */
  setThreshold(index: number, key: string, n: number, value: number): void {
    const m = this.ruleMaps()[index]
    if (!m || !m.has(key)) return
    const node = m.get(key, true)
    const next = setNumber(String(m.get(key) ?? ''), n, value)
    if (isScalar(node)) node.value = next
    else m.set(key, next)
  }

  /** Appends rules (from a template's YAML) to the rule list. */
  appendRules(templateYaml: string): ParseProblem[] {
    const { set, problems } = RuleSet.parse(templateYaml)
    if (!set) return problems
    const add = set.ruleMaps()
    if (add.length === 0) return [{ message: 'template has no rules' }]
    const root = this.doc.contents
    let target: unknown = null
    if (isSeq(root)) target = root
    else if (isMap(root)) {
      target = root.get('rules', true)
      if (!isSeq(target)) {
        (root as YAMLMap).set('rules', this.doc.createNode([]))
        target = root.get('rules', true)
      }
    } else {
      this.doc.contents = this.doc.createNode({ rules: [] }) as never
      target = (this.doc.contents as unknown as YAMLMap).get('rules', true)
    }
    for (const m of add) (target as YAMLSeq).items.push(this.doc.createNode(m.toJSON()))
    return []
  }

  /**
   * Where a problem the server located inside a rule's expression (line and
   * column within the expression, 1-based) sits in the file; the rule's
   * start when the field is not an expression.
   */
  locate(rule: string | undefined, field: string | undefined, line?: number, col?: number): { line: number; col: number } | null {
    const maps = this.ruleMaps()
    const m = maps.find((x) => String(x.get('name') ?? '') === rule)
    if (!m) return null
    const key = (field ?? '').split(/[.[]/)[0]
    const node = key && m.has(key) ? m.get(key, true) : null
    const start = (node as { range?: number[] } | null)?.range?.[0] ?? m.range?.[0] ?? 0
    const pos = lineOf(this.source, start)
    if (!node || !line) return pos
    const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? 1 : 0
    if (line === 1) return { line: pos.line, col: pos.col + quoted + (col ?? 1) - 1 }
    return { line: pos.line + line - 1, col: col ?? 1 }
  }

  toString(): string {
    return this.doc.toString({ lineWidth: 0 })
  }
}

/** 1-based line and column of a character offset. */
function lineOf(text: string, offset: number): { line: number; col: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, col: offset - lineStart + 1 }
}
