// The mapping spec editor's text (JSON or YAML; YAML reads JSON too) and
// where in it a path the server names sits. The server refuses a bad
// mapping with problems located by path ("mapping.rules[0].fields.amount")
// and a column inside that expression; the page marks the line.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml'

export interface SpecParse {
  spec: unknown
  /** A syntax error with its 1-based position, or null. */
  error: { message: string; line: number; col: number } | null
}

/** Reads the editor's text: the spec, or the first syntax error and where it is. */
export function parseSpec(text: string): SpecParse {
  if (!text.trim()) return { spec: undefined, error: null }
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true })
  const e = doc.errors[0]
  if (e) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0])
    return { spec: undefined, error: { message: e.message.split('\n')[0], line: pos.line, col: pos.col } }
  }
  const spec = doc.toJS()
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
    return { spec: undefined, error: { message: 'the mapping must be an object with "id" and "rules"', line: 1, col: 1 } }
  }
  return { spec, error: null }
}

/** "mapping.rules[0].fields.amount" → ["rules", 0, "fields", "amount"] (the editor holds the mapping itself). */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = []
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]))
    else out.push(m[1])
  }
  if (out[0] === 'mapping') out.shift()
  return out
}

/**
 * The 1-based line and column of a path in the editor's text: the deepest
 * node of the path that exists, and for an expression value the column
 * inside it (a quoted value's quote skipped). Null when the text does not
 * parse or no part of the path is in it.
 */
export function locate(text: string, path: string, column = 0): { line: number; col: number; exact: boolean } | null {
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: true })
  if (doc.errors.length) return null
  const segs = pathSegments(path)
  let node: Node | null = doc.contents as Node | null
  let found = 0
  for (const s of segs) {
    let next: unknown = null
    if (isMap(node)) next = node.get(s as string, true) ?? node.get(String(s), true)
    else if (isSeq(node) && typeof s === 'number') next = node.get(s, true)
    if (!next || typeof next !== 'object') break
    node = next as Node
    found++
  }
  if (!node?.range || found === 0) return null
  const pos = lc.linePos(node.range[0])
  const exact = found === segs.length
  if (exact && column > 0 && isScalar(node) && typeof node.value === 'string' && !node.value.includes('\n')) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'
    return { line: pos.line, col: pos.col + column - 1 + (quoted ? 1 : 0), exact }
  }
  return { line: pos.line, col: pos.col, exact }
}

/** A saved spec as YAML for the editor. */
export function specText(spec: unknown): string {
  return spec && typeof spec === 'object' ? stringify(spec, { lineWidth: 0 }) : ''
}

/** A starting spec for a new "mapping" connector: a made-up shop's order webhook. */
export const SPEC_EXAMPLE = `# A made-up shop posts {"events":[{"event_id","topic","order":{...}}]}.
# Expressions are expr-lang over one message, bound as msg.
messages: msg.events
id: msg.event_id
kind: msg.topic
rules:
  - when: msg.topic in ['order.created', 'order.paid', 'order.refunded']
    type: order
    fields:
      order_id: msg.order.no
      user_id: msg.order.buyer
      sku: msg.order.product
      qty: msg.order.qty
      amount: minor(msg.order.total, currency)
      status: trimPrefix(msg.topic, 'order.')
`
