// A line diff (longest common subsequence) for the version history: small
// rule files, so the O(n·m) table is fine; past a size limit it falls back
// to "all removed, all added" rather than freezing the page.

export interface DiffLine {
  op: ' ' | '-' | '+'
  text: string
}

export function diffLines(a: string, b: string, limit = 4_000_000): DiffLine[] {
  const x = a.split('\n')
  const y = b.split('\n')
  // Trim the common head and tail: most edits touch a few lines.
  let head = 0
  while (head < x.length && head < y.length && x[head] === y[head]) head++
  let tail = 0
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++
  const xs = x.slice(head, x.length - tail)
  const ys = y.slice(head, y.length - tail)
  const out: DiffLine[] = x.slice(0, head).map((text) => ({ op: ' ', text }))
  if (xs.length * ys.length > limit) {
    out.push(...xs.map((text) => ({ op: '-' as const, text })), ...ys.map((text) => ({ op: '+' as const, text })))
  } else {
    const n = xs.length
    const m = ys.length
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i][j] = xs[i] === ys[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    let i = 0
    let j = 0
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) {
        out.push({ op: ' ', text: xs[i] })
        i++
        j++
      } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
        out.push({ op: '+', text: ys[j++] })
      } else {
        out.push({ op: '-', text: xs[i++] })
      }
    }
  }
  out.push(...x.slice(x.length - tail).map((text) => ({ op: ' ' as const, text })))
  return out
}
