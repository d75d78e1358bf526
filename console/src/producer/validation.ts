// Normalises what the server says about a rule set into a list of problems
// with rule name and position. It accepts the shapes the rules API may use:
// LiveDeck's {"valid":true,"problems":[{"rule","field","line","column",
// "message","warning"}]} (422 adds the error envelope), {"errors":[...]}, a
// bare array, or just the envelope {"error":{"code","field","message"}},
// whose message may carry the position ("line 3, column 5").

import { t, type MsgKey } from '../i18n'
import { en } from '../messages/en'

export interface Problem {
  message: string
  /** The server's problem code (banned_term, clear_overlaps_when, …), when it gives one. */
  code?: string
  rule?: string
  field?: string
  line?: number
  col?: number
  /** The line in the rule file, when the server knows it (line and col are then within the rule's expression). */
  sourceLine?: number
  severity: 'error' | 'warning'
}

type Raw = Record<string, unknown>

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

function one(r: Raw, severity: Problem['severity']): Problem {
  const pos = (r.position ?? r.pos ?? {}) as Raw
  const message = str(r.message) ?? str(r.error) ?? str(r.msg) ?? JSON.stringify(r)
  const code = str(r.code)
  const p: Problem = {
    message: translated(code, r.args) ?? message,
    code,
    rule: str(r.rule) ?? str(r.rule_name) ?? str(r.name),
    field: str(r.field) ?? str(r.path),
    line: num(r.line) ?? num(pos.line),
    col: num(r.column) ?? num(r.col) ?? num(pos.column) ?? num(pos.col),
    sourceLine: num(r.source_line),
    severity: str(r.severity) === 'warning' || r.warning === true ? 'warning' : severity,
  }
  if (p.line === undefined) {
    const m = /line (\d+)(?:[,:]? ?col(?:umn)? (\d+))?/i.exec(message) ?? /(?:^|\D):(\d+):(\d+)/.exec(message)
    if (m) {
      p.line = Number(m[1])
      if (m[2]) p.col = Number(m[2])
    }
  }
  return p
}

/** The message of a coded problem in the console's language, if the catalogue has it; args fill its placeholders. */
function translated(code: string | undefined, args: unknown): string | undefined {
  const key = `problem.${code}`
  if (!code || !(key in en)) return undefined
  const vars: Record<string, string> = {}
  if (args && typeof args === 'object') for (const [k, v] of Object.entries(args as Raw)) vars[k] = String(v)
  return t(key as MsgKey, vars)
}

/** A dry-run's change ("stays firing", "clears now", …) in the console's language; unknown ones as the server wrote them. */
export function changeText(change: string): string {
  const key = `rules.change.${change}`
  return key in en ? t(key as MsgKey) : change
}

export function problemsOf(body: unknown): Problem[] {
  if (!body) return []
  if (Array.isArray(body)) return body.map((e) => one(typeof e === 'string' ? { message: e } : (e as Raw), 'error'))
  if (typeof body !== 'object') return [{ message: String(body), severity: 'error' }]
  const b = body as Raw
  const out: Problem[] = []
  if (Array.isArray(b.errors)) out.push(...problemsOf(b.errors))
  if (Array.isArray(b.problems)) out.push(...problemsOf(b.problems))
  if (Array.isArray(b.warnings)) out.push(...(b.warnings as unknown[]).map((w) => one(typeof w === 'string' ? { message: w } : (w as Raw), 'warning')))
  // The envelope's message repeats the located problems when they are listed.
  if (b.error && typeof b.error === 'object' && !(Array.isArray(b.problems) && b.problems.length)) {
    const e = b.error as Raw
    const details = Array.isArray(e.details) ? e.details : Array.isArray(e.errors) ? e.errors : null
    if (details) out.push(...problemsOf(details))
    else out.push(one(e, 'error'))
  }
  return out
}
