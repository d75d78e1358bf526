// Threshold fields: the numeric literals of a rule condition such as
// `online >= 500 && sku["A1"].ctr < 0.03`, located so that one of them can
// be replaced without touching the rest of the expression. Numbers inside
// string literals and digits that are part of a name (p99, sku_2) are not
// thresholds.

export interface NumberLit {
  start: number
  end: number
  value: number
  text: string
}

export function numbersIn(expr: string): NumberLit[] {
  const out: NumberLit[] = []
  let i = 0
  while (i < expr.length) {
    const ch = expr[i]
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipString(expr, i)
      continue
    }
    if (/[A-Za-z_$]/.test(ch)) {
      while (i < expr.length && /[\w$]/.test(expr[i])) i++
      continue
    }
    const m = /^(?:\d+(?:_\d+)*(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(expr.slice(i))
    if (m && !(i > 0 && expr[i - 1] === '.' && /\w/.test(expr[i - 2] ?? ''))) {
      const text = m[0]
      out.push({ start: i, end: i + text.length, value: Number(text.replace(/_/g, '')), text })
      i += text.length
      continue
    }
    i++
  }
  return out
}

function skipString(s: string, i: number): number {
  const q = s[i]
  i++
  while (i < s.length && s[i] !== q) i += s[i] === '\\' ? 2 : 1
  return i + 1
}

/** The expression with its n-th number replaced by value. */
export function setNumber(expr: string, n: number, value: number): string {
  const lit = numbersIn(expr)[n]
  if (!lit || !Number.isFinite(value)) return expr
  return expr.slice(0, lit.start) + String(value) + expr.slice(lit.end)
}
