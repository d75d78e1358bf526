// The rules API is written alongside the console, so the producer view reads
// its answers leniently: lists may come bare or wrapped, times under several
// names, texts as YAML strings or JSON objects. Each helper returns one
// normalised shape or an empty value, never throws.

import { parse, stringify } from 'yaml'

type Raw = Record<string, unknown>

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A list from a bare array or the first array among the given wrapper keys. */
export function listOf(body: unknown, keys: string[]): Raw[] {
  if (Array.isArray(body)) return body.filter(isObj)
  if (isObj(body)) for (const k of keys) if (Array.isArray(body[k])) return (body[k] as unknown[]).filter(isObj)
  return []
}

/** YAML text from a rules response: text as is, {"yaml"|"text"|"source"} strings, or an object turned into YAML. */
export function rulesText(body: unknown): string {
  if (typeof body === 'string') return body
  if (isObj(body)) {
    for (const k of ['yaml', 'text', 'source', 'rules_yaml']) if (typeof body[k] === 'string') return body[k] as string
    if (isObj(body.rules) || Array.isArray(body.rules)) return stringify(isObj(body.rules) ? body.rules : { rules: body.rules })
  }
  if (Array.isArray(body)) return stringify({ rules: body })
  return ''
}

/** The version number a save or rollback answered with, if any. */
export function versionOf(body: unknown): number | undefined {
  if (!isObj(body)) return undefined
  const v = body.version ?? (isObj(body.ruleset) ? body.ruleset.version : undefined)
  if (isObj(v)) return versionOf(v) // PUT answers {"version": Version, "warnings": [...]}
  return typeof v === 'number' && v > 0 ? v : undefined
}

/** Milliseconds since the epoch from a number (s or ms) or an ISO string. */
export function timeOf(r: Raw): number | undefined {
  for (const k of ['at', 'time', 'ts', 'created_at', 'fired_at', 'when']) {
    const v = r[k]
    if (typeof v === 'number' && v > 0) return v < 1e11 ? v * 1000 : v
    if (typeof v === 'string' && v) {
      const t = Date.parse(v)
      if (!Number.isNaN(t)) return t
    }
  }
  return undefined
}

export interface VersionItem {
  version: number
  author: string
  at?: number
  comment: string
  diff?: string
  text?: string
}

export function versionsOf(body: unknown): VersionItem[] {
  return listOf(body, ['versions', 'items'])
    .map((r) => ({
      version: Number(r.version ?? r.id ?? 0),
      author: String(r.author ?? r.by ?? r.user ?? ''),
      at: timeOf(r),
      comment: String(r.note ?? r.comment ?? r.message ?? ''),
      diff: typeof r.diff === 'string' ? r.diff : Array.isArray(r.diff) ? r.diff.map(String).join('\n') : undefined,
      text: ['source', 'yaml', 'text', 'rules'].map((k) => r[k]).find((v): v is string => typeof v === 'string'),
    }))
    .filter((v) => v.version > 0)
    .sort((a, b) => b.version - a.version)
}

export interface FiringItem {
  at?: number
  rule: string
  kind: string
  summary: string
}

/** One line per firing: what the rule did, in words the producer recognises. */
export function firingOf(r: Raw): FiringItem {
  const cue = isObj(r.cue) ? r.cue : undefined
  const alert = isObj(r.alert) ? r.alert : undefined
  const tier = isObj(r.tier) ? r.tier : undefined
  const gift = isObj(r.gift) ? r.gift : undefined
  let summary = ''
  if (cue) summary = String(cue.text ?? '')
  else if (alert) summary = String(alert.message ?? '')
  else if (tier) summary = String(tier.coupon || tier.name || '')
  else if (gift) summary = `${gift.quota ?? ''} #${gift.n ?? ''} → ${gift.order_id ?? ''}`
  else summary = String(r.message ?? r.text ?? r.summary ?? r.state ?? '')
  if (!summary && Array.isArray(r.actions)) summary = r.actions.map((a) => (isObj(a) ? Object.keys(a).join('+') : String(a))).join(', ')
  return {
    at: timeOf(r),
    rule: String(r.rule ?? r.name ?? ''),
    kind: String(r.kind ?? r.type ?? r.state ?? (cue ? 'cue' : alert ? 'alert' : tier ? 'tier' : gift ? 'gift' : '')),
    summary,
  }
}

export function firingsOf(body: unknown): FiringItem[] {
  return listOf(body, ['history', 'firings', 'items', 'fired', 'results', 'signals']).map(firingOf)
}

export interface Template {
  name: string
  title: string
  description: string
  yaml: string
}

/**
 * Templates from a list of {name, yaml|rules} or from a YAML playbook (what
 * GET /api/v1/rules/templates serves): each of its rules is a template.
 */
export function templatesOf(body: unknown): Template[] {
  if (typeof body === 'string') {
    let doc: unknown
    try {
      doc = parse(body)
    } catch {
      return []
    }
    return listOf(doc, ['rules']).map((r) => ({
      name: String(r.name ?? ''),
      title: String(r.name ?? ''),
      description: String(r.when ?? r.condition ?? ''),
      yaml: stringify({ rules: [r] }),
    })).filter((t) => t.name)
  }
  return listOf(body, ['templates', 'items']).map((r) => {
    const name = String(r.name ?? r.id ?? '')
    let yaml = ''
    if (typeof r.yaml === 'string') yaml = r.yaml
    else if (typeof r.rules === 'string') yaml = r.rules
    else if (Array.isArray(r.rules)) yaml = stringify({ rules: r.rules })
    else if (isObj(r.rule)) yaml = stringify({ rules: [r.rule] })
    return { name, title: String(r.title ?? r.name ?? ''), description: String(r.description ?? r.summary ?? ''), yaml }
  }).filter((t) => t.name && t.yaml)
}

export interface DryRunItem {
  rule: string
  /** fires: would fire now; waits: matches but must hold for `for`; idle: no match; error. */
  state: 'fires' | 'waits' | 'idle' | 'error'
  detail: string
  /** What saving the candidate would do to the rule's current state ("stays firing", "clears now", …), when the server says. */
  change?: string
}

/** Dry-run results ({"results":[{"rule","matched","would_fire","error","actions"}]}), firing ones first. */
export function dryRunOf(body: unknown): DryRunItem[] {
  const rank = { fires: 0, waits: 1, error: 2, idle: 3 }
  return listOf(body, ['results', 'items'])
    .map((r): DryRunItem => {
      const state = r.error ? 'error' : r.would_fire ? 'fires' : r.matched ? 'waits' : 'idle'
      const acts = Array.isArray(r.actions) ? r.actions.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' · ') : ''
      const change = typeof r.change === 'string' && r.change ? r.change : undefined
      return { rule: String(r.rule ?? r.name ?? ''), state, detail: r.error ? String(r.error) : acts, change }
    })
    .sort((a, b) => rank[a.state] - rank[b.state] || a.rule.localeCompare(b.rule))
}
